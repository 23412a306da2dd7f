using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Tags;
using Coala.ML.Tests.Export;
using Coala.ML.Tests.Tags;
using Coala.ML.Tests.TestSupport;
using Google.Protobuf;
using Onnx;

namespace Coala.ML.Tests.Model;

/// <summary>Issue 18, items 5-7: a model file is data, and a hostile one can read no file, exhaust no memory and write no NaN.</summary>
[Collection("Console")] // one test runs the CLI
public class HostileModelTests
{
    private static ModelProto Encoder(FrontendSettings? frontend = null) =>
        OnnxEncoderWriter.Build(TestModels.Weights, frontend ?? FrontendSettings.Default, TestModels.Scaler(96));

    /// <summary>Moves the data of <paramref name="t"/> to an external file, as an ONNX model may.</summary>
    private static void MakeExternal(TensorProto t, string location)
    {
        long length = t.RawData.Length;
        t.RawData = ByteString.Empty;
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    [Fact]
    public void AnEncoderWithExternalDataIsRefused()
    {
        var model = Encoder();
        var weight = model.Graph.Initializer.First(t => t.RawData.Length > 1000);
        MakeExternal(weight, "notes.txt");

        var e = Assert.Throws<CoalaException>(() => CoalaModel.FromBytes(model.ToByteArray(), "evil.onnx"));

        Assert.Contains("external file ('notes.txt')", e.Message);
        Assert.Equal("evil.onnx", e.FilePath);
    }

    [Fact]
    public void ATagModelWithExternalDataIsRefused()
    {
        var m = TagTestModel.Create();
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(m.TagModel));
        MakeExternal(model.Graph.Initializer.First(t => t.RawData.Length > 1000), "notes.txt");

        var e = Assert.Throws<CoalaException>(() => TagModel.FromBytes(model.ToByteArray(), "evil.tags.onnx"));

        Assert.Contains("external file ('notes.txt')", e.Message);
    }

    [Theory]
    [InlineData(FrontendSettings.KeyFftSize, "1073741824", "FFT size")]
    [InlineData(FrontendSettings.KeyHopLength, "4096", "hop length")]
    [InlineData(FrontendSettings.KeyMelBands, "1000000", "mel bands")]
    [InlineData(FrontendSettings.KeyPatchFrames, "2147483647", "patch frames")]
    [InlineData(FrontendSettings.KeySampleRate, "1000000000", "sample rate")]
    [InlineData(FrontendSettings.KeyFMax, "Infinity", "mel range")]
    public void FrontendMetadataOutOfBoundsIsRefusedBeforeAllocation(string key, string value, string message)
    {
        var model = Encoder();
        model.MetadataProps.First(p => p.Key == key).Value = value;

        var e = Assert.Throws<CoalaException>(() => CoalaModel.FromBytes(model.ToByteArray(), "evil.onnx"));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void PatchesLargerThanTheBoundAreRefused()
    {
        var meta = new Dictionary<string, string>(FrontendSettings.Default.ToMetadata())
        {
            [FrontendSettings.KeyMelBands] = "512",
            [FrontendSettings.KeyPatchFrames] = "4096",
            [FrontendSettings.KeyFftSize] = "2048",
        };
        var e = Assert.Throws<CoalaException>(() => FrontendSettings.FromMetadata(meta, "m.onnx"));
        Assert.Contains("patches of 512 x 4096", e.Message);
    }

    [Fact]
    public void AnEmbeddingDimOutOfBoundsIsRefused()
    {
        var model = Encoder();
        model.MetadataProps.First(p => p.Key == OnnxEncoderWriter.KeyEmbeddingDim).Value = "2147483647";
        var e = Assert.Throws<CoalaException>(() => CoalaModel.FromBytes(model.ToByteArray(), "evil.onnx"));
        Assert.Contains(OnnxEncoderWriter.KeyEmbeddingDim, e.Message);
    }

    [Fact]
    public void AModelFileOver512MBIsRefusedUnread()
    {
        var dir = TestAssets.TempDir("model-huge");
        var huge = Path.Combine(dir, "huge.onnx");
        using (var f = new FileStream(huge, FileMode.CreateNew)) f.SetLength(ModelFile.MaxBytes + 1); // sparse: no disk used

        var e = Assert.Throws<CoalaException>(() => CoalaModel.Load(huge));
        Assert.Contains("over the 512 MB", e.Message);
        e = Assert.Throws<CoalaException>(() => TagModel.Load(huge));
        Assert.Contains("over the 512 MB", e.Message);
        File.Delete(huge);
    }

    [Fact]
    public void AFifoAsModelIsRefusedNotRead()
    {
        var dir = TestAssets.TempDir("model-fifo");
        var fifo = Posix.MakeFifo(Path.Combine(dir, "m.onnx"));
        var e = Posix.WithTimeout(() => Assert.Throws<CoalaException>(() => CoalaModel.Load(fifo)), 30);
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void ANonFiniteEmbeddingIsAFailureNeverARow()
    {
        var dir = TestAssets.TempDir("model-nan");
        var model = Encoder();
        var min = model.Graph.Initializer.First(t => t.Name == MinMaxScaler.GraphMinName);
        var values = new float[96];
        values[3] = float.NaN;
        min.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        var path = Path.Combine(dir, "nan.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var wav = TestAssets.WriteWav(Path.Combine(dir, "a.wav"), TestAssets.Signal(3, 22000), 22000);

        using (var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = path }))
        {
            var e = Assert.Throws<CoalaException>(() => embedder.EmbedFile(wav));
            Assert.Contains("non-finite", e.Message);
            Assert.Equal(wav, e.FilePath);
        }

        var csv = Path.Combine(dir, "o.csv");
        var (code, _, stderr) = CliRunner.Run("embed", wav, "-o", csv, "--model", path);
        Assert.NotEqual(0, code);
        Assert.Contains("non-finite", stderr);
        Assert.True(!File.Exists(csv) || File.ReadAllLines(csv).Length <= 1);
    }
}
