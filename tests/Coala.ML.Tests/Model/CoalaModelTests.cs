using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Tests.Export;
using Google.Protobuf;
using Onnx;

namespace Coala.ML.Tests.Model;

public class CoalaModelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ModelProto Valid() => ModelProto.Parser.ParseFrom(TestModels.DefaultModel);

    private string Save(ModelProto model, string name = "model.onnx")
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static CoalaException LoadFails(string path, string expectedText)
    {
        var e = Assert.Throws<CoalaException>(() => CoalaModel.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(expectedText, e.Message);
        return e;
    }

    private static void SetMeta(ModelProto m, string key, string? value)
    {
        var existing = m.MetadataProps.Where(p => p.Key == key).ToList();
        foreach (var p in existing) m.MetadataProps.Remove(p);
        if (value is not null) m.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    [Fact]
    public void WriterRoundTrip()
    {
        var frontend = FrontendSettings.Default with { SampleRate = 16000, HopLength = 256, Window = WindowKind.Hamming, FMin = 50 };
        string path = _dir.File("encoder.onnx");
        OnnxEncoderWriter.Write(path, TestModels.Weights, frontend, TestModels.Scaler(96),
            new Dictionary<string, string> { ["coala.training.epochs"] = "3" });
        var model = CoalaModel.Load(path);
        Assert.Equal(path, model.Path);
        Assert.Equal(frontend with { FMax = frontend.EffectiveFMax }, model.Frontend);
        Assert.Equal(1152, model.EmbeddingDim);
        Assert.Equal(1, model.FormatVersion);
        Assert.Equal("coala-audio-encoder-v1", model.Architecture);
        Assert.Equal("3", model.Metadata["coala.training.epochs"]);
        Assert.Equal(File.ReadAllBytes(path), model.Bytes);
    }

    [Fact]
    public void MissingFile() => LoadFails(_dir.File("nope.onnx"), "not found");

    [Fact]
    public void FolderInsteadOfFile()
    {
        string path = _dir.File("folder.onnx");
        Directory.CreateDirectory(path);
        LoadFails(path, "folder");
    }

    [Fact]
    public void EmptyFile()
    {
        string path = _dir.File("empty.onnx");
        File.WriteAllBytes(path, []);
        LoadFails(path, "empty");
    }

    [Fact]
    public void GarbageBytes()
    {
        var rng = new Random(5);
        for (int i = 0; i < 20; i++)
        {
            var bytes = new byte[rng.Next(1, 4096)];
            rng.NextBytes(bytes);
            string path = _dir.File($"garbage{i}.onnx");
            File.WriteAllBytes(path, bytes);
            LoadFails(path, "not an ONNX model");
        }
        string text = _dir.File("text.onnx");
        File.WriteAllText(text, "this is not a model\n");
        LoadFails(text, "not an ONNX model");
    }

    [Fact]
    public void WavFileRenamedOnnx()
    {
        // A real 16-bit PCM WAV: RIFF header and a short sine.
        var sine = Enumerable.Range(0, 2205).Select(i => (short)(10000 * Math.Sin(2 * Math.PI * 440 * i / 22050.0))).ToArray();
        string path = _dir.File("sound.onnx");
        File.WriteAllBytes(path, Coala.ML.Audio.WavWriter.Pcm16(sine, 22050));
        LoadFails(path, "not an ONNX model");
    }

    [Fact]
    public void OnnxWithoutCoalaMetadataNamesTheMissingKey()
    {
        var m = Valid();
        m.MetadataProps.Clear();
        LoadFails(Save(m), "'coala.format_version'");

        m = Valid();
        SetMeta(m, FrontendSettings.KeyMelBands, null);
        LoadFails(Save(m), "'coala.n_mels'");

        m = Valid();
        SetMeta(m, "coala.embedding_dim", null);
        LoadFails(Save(m), "'coala.embedding_dim'");
    }

    [Fact]
    public void UnsupportedFormatVersion()
    {
        var m = Valid();
        SetMeta(m, "coala.format_version", "2");
        LoadFails(Save(m), "unsupported coala.format_version '2'");
        SetMeta(m, "coala.format_version", "one");
        LoadFails(Save(m), "unsupported coala.format_version 'one'");
    }

    [Fact]
    public void InputNotNamedCoalaLogmel()
    {
        var m = Valid();
        m.Graph.Input[0].Name = "input";
        LoadFails(Save(m), "no input 'coala_logmel'");
    }

    [Fact]
    public void InputOfTheWrongShapeOrType()
    {
        var m = Valid();
        var dims = m.Graph.Input[0].Type.TensorType.Shape.Dim;
        dims.Add(new TensorShapeProto.Types.Dimension { DimValue = 3 });
        LoadFails(Save(m), "expected [1, L]");

        m = Valid();
        m.Graph.Input[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        LoadFails(Save(m), "has shape [batch, L]");

        m = Valid();
        m.Graph.Input[0].Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimValue = 9216 };
        LoadFails(Save(m), "has shape [1, 9216]");

        m = Valid();
        m.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Double;
        LoadFails(Save(m), "not a float tensor");
    }

    [Fact]
    public void OutputsMissingOrOfTheWrongShape()
    {
        var m = Valid();
        m.Graph.Output.RemoveAt(1);
        LoadFails(Save(m), "no output 'coala_std'");

        m = Valid();
        m.Graph.Output[0].Name = "embedding";
        LoadFails(Save(m), "no output 'coala_mean'");

        m = Valid();
        m.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimValue = 512;
        LoadFails(Save(m), "expected [1152]");

        m = Valid();
        SetMeta(m, "coala.embedding_dim", "512");
        LoadFails(Save(m), "expected [512]");

        m = Valid();
        m.Graph.Output[1].Type.TensorType.Shape.Dim.Insert(0, new TensorShapeProto.Types.Dimension { DimValue = 1 });
        LoadFails(Save(m), "output 'coala_std' has shape [1, 1152]");

        m = Valid();
        m.Graph.Output[2].Type.TensorType.Shape.Dim[1].DimValue = 64;
        LoadFails(Save(m), "output 'coala_windows' has shape");
    }

    [Fact]
    public void FrontendThatDoesNotMatchTheGraph()
    {
        var m = Valid();
        SetMeta(m, FrontendSettings.KeyMelBands, "64");
        var e = LoadFails(Save(m), "frontend and graph do not match");
        Assert.Contains("96", e.Message);
        Assert.Contains("64", e.Message);

        m = Valid();
        SetMeta(m, FrontendSettings.KeyPatchFrames, "128");
        LoadFails(Save(m), "frontend and graph do not match");

        m = Valid();
        var scaler = m.Graph.Initializer.First(t => t.Name == MinMaxScaler.GraphMinName);
        m.Graph.Initializer.Remove(scaler);
        LoadFails(Save(m), "lacks the scaler constant");
    }

    [Fact]
    public void ValidModelFromBytesMatchesLoad()
    {
        string path = Save(Valid());
        var a = CoalaModel.Load(path);
        var b = CoalaModel.FromBytes(File.ReadAllBytes(path), path);
        Assert.Equal(a.Frontend, b.Frontend);
        Assert.Equal(a.Metadata.OrderBy(p => p.Key), b.Metadata.OrderBy(p => p.Key));
    }
}
