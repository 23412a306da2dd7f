using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Coala.ML.Tests.Model;

/// <summary>
/// The default E-C model travels with the build (Coala.ML.csproj copies models/coala-ec.onnx to
/// CoalaModels/coala-ec.onnx beside every referencing project's output) and is found with no model path.
/// </summary>
public class DefaultModelTests
{
    private sealed class SamplesInput { [VectorType] public float[] Audio { get; set; } = []; }

    private static readonly int Rate = FrontendSettings.Default.SampleRate;

    private static void AssertEmbedding(float[] v)
    {
        Assert.Equal(1152, v.Length);
        Assert.All(v, x => Assert.True(float.IsFinite(x)));
        Assert.True(v.Max() - v.Min() > 1e-4f, "the embedding is constant");
    }

    [Fact]
    public void TheDefaultModelIsCopiedBesideTheOutput()
    {
        var expected = Path.Combine(AppContext.BaseDirectory, "CoalaModels", "coala-ec.onnx");
        Assert.Equal(expected, ModelLocator.DefaultModelPath);
        Assert.True(File.Exists(expected), $"{expected} is missing: the build did not copy the default model");
        Assert.Equal(expected, ModelLocator.Resolve(null));
        Assert.Equal(expected, ModelLocator.Resolve("  "));
        var model = CoalaModel.Load(expected);
        Assert.Equal(1152, model.EmbeddingDim);
        Assert.Equal(FrontendSettings.Default.SampleRate, model.Frontend.SampleRate);
    }

    [Fact]
    public void CoalaEmbedderWithNoModelPathUsesTheDefaultModel()
    {
        var x = TestAssets.Signal(5.0, Rate, seed: 21);
        using var byDefault = new CoalaEmbedder();
        var v = byDefault.Embed(x, Rate);
        AssertEmbedding(v);
        // The same vector as naming the default file explicitly, and not the same as another model.
        using var named = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = ModelLocator.DefaultModelPath });
        Assert.Equal(v, named.Embed(x, Rate));
        using var random = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel() });
        Assert.NotEqual(v, random.Embed(x, Rate));
        // And from a file.
        var wav = TestAssets.WriteWav(Path.Combine(TestAssets.TempDir("default-model"), "clip.wav"), x, Rate);
        AssertEmbedding(byDefault.EmbedFile(wav));
    }

    [Fact]
    public void CoalaEmbedWithDefaultOptionsUsesTheDefaultModel()
    {
        var clips = new[] { TestAssets.Signal(3.0, Rate, seed: 5, f0: 180), TestAssets.Signal(4.5, Rate, seed: 6, f0: 600) };
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(clips.Select(c => new SamplesInput { Audio = c }));
        // Default options: input column "Audio", output "Embedding", mean pooling, no model path.
        var output = ml.Transforms.CoalaEmbed(new CoalaEmbedOptions()).Fit(data).Transform(data);
        var vectors = output.GetColumn<float[]>("Embedding").ToArray();
        Assert.Equal(2, vectors.Length);
        using var embedder = new CoalaEmbedder();
        for (int i = 0; i < clips.Length; i++)
        {
            AssertEmbedding(vectors[i]);
            var expected = embedder.Embed(clips[i], Rate);
            Assert.True(expected.Zip(vectors[i]).Max(p => Math.Abs(p.First - p.Second)) < 1e-5f);
        }
    }

    [Fact]
    public void AMissingDefaultModelIsACoalaErrorNamingTheExpectedFile()
    {
        var appDir = TestAssets.TempDir("no-default-model");
        var expected = Path.Combine(appDir, "CoalaModels", "coala-ec.onnx");
        foreach (var given in new[] { null, "", "   " })
        {
            var e = Assert.Throws<CoalaException>(() => ModelLocator.Resolve(given, appDir));
            Assert.Equal(expected, e.FilePath);
            Assert.Contains(expected, e.Message);
            Assert.Contains("no default model is installed", e.Message);
            Assert.Contains("ModelPath", e.Message);
        }
        // An explicit path is returned as given, even where no default model is installed.
        Assert.Equal("mine.onnx", ModelLocator.Resolve("mine.onnx", appDir));
        // Once the file is there it is found.
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.Copy(TestAssets.RandomModel(), expected);
        Assert.Equal(expected, ModelLocator.Resolve(null, appDir));
    }
}
