using System.Text.Json;
using Coala.ML.Training.Networks;
using TorchSharp;

namespace Coala.ML.Training.Tests.Networks;

/// <summary>State-dict keys and shapes equal those of the reference PyTorch modules (listed by bench/train/peer.py keys).</summary>
public class StateDictKeyTests
{
    private static Dictionary<string, Dictionary<string, long[]>> Reference()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Networks", "reference_state_dict.json");
        return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, long[]>>>(File.ReadAllText(path))!;
    }

    [Theory]
    [InlineData("aec")]
    [InlineData("ec")]
    [InlineData("cnn")]
    public void KeysAndShapesMatchTheReference(string variantName)
    {
        var variant = CoalaVariants.Parse(variantName);
        var reference = Reference();
        using var nets = new CoalaNetworks(variant, vocabulary: 1000);
        foreach (var (name, module) in nets.Parts)
        {
            var expected = reference[name];
            var actual = module.state_dict();
            Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (key, shape) in expected)
                Assert.True(shape.SequenceEqual(actual[key].shape), $"{key}: [{string.Join(",", actual[key].shape)}] vs [{string.Join(",", shape)}]");
        }
    }

    [Fact]
    public void VocabularySizeIsAParameter()
    {
        using var nets = new CoalaNetworks(CoalaVariant.AeC, vocabulary: 7);
        var te = nets.TagEncoder!.state_dict();
        var td = nets.TagDecoder!.state_dict();
        Assert.Equal(new long[] { 512, 7 }, te["tag_encoder.0.weight"].shape);
        Assert.Equal(new long[] { 7, 512 }, td["tag_decoder.7.weight"].shape);
        using var cnn = new CoalaNetworks(CoalaVariant.Cnn, vocabulary: 7);
        Assert.Equal(new long[] { 7, 1152 }, cnn.Cnn!.state_dict()["fc.2.weight"].shape);
    }

    [Fact]
    public void ForwardShapes()
    {
        using var scope = torch.NewDisposeScope();
        using var nets = new CoalaNetworks(CoalaVariant.AeC, vocabulary: 5);
        nets.Train(false);
        var x = torch.rand(2, 1, 96, 96);
        var (z, zd) = nets.AudioEncoder!.forward(x);
        Assert.Equal(new long[] { 2, 1152 }, z.shape);
        Assert.Equal(new long[] { 2, 1152 }, zd.shape);
        Assert.Equal(new long[] { 2, 1, 96, 96 }, nets.AudioDecoder!.forward(z).shape);
        var (zt, _) = nets.TagEncoder!.forward(torch.zeros(2, 5));
        Assert.Equal(new long[] { 2, 5 }, nets.TagDecoder!.forward(zt).shape);
    }
}
