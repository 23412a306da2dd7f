using System.IO.Compression;
using Coala.ML.Export;
using Coala.ML.Training.Networks;
using Coala.ML.Training.Reference;
using Microsoft.ML.OnnxRuntime;

namespace Coala.ML.Training.Tests.Reference;

/// <summary>
/// <c>coala import-reference</c>: state dicts in the reference repository's layout (random weights, written by
/// tools/fixtures/make_reference_fixture.py with PyTorch from the reference's own module definitions) become ONNX
/// models that compute what PyTorch computes on the same patches, to 1e-5; the real scaler and vocabulary files
/// of xavierfav/coala (MIT, committed copies) are read as they are.
/// </summary>
public class ReferenceImportTests : IDisposable
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "reference");
    private readonly string _dir = Directory.CreateTempSubdirectory("coala-refimport-").FullName;
    private readonly string _clone;

    public ReferenceImportTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        // A "clone": the scaler, the vocabulary and the gunzipped state dicts at the reference's paths.
        _clone = Path.Combine(_dir, "coala");
        Directory.CreateDirectory(Path.Combine(_clone, "json"));
        File.Copy(Path.Combine(Fixtures, "scaler_top_1000.pkl"), Path.Combine(_clone, "scaler_top_1000.pkl"));
        File.Copy(Path.Combine(Fixtures, "json", "id2token_top_1000.json"), Path.Combine(_clone, "json", "id2token_top_1000.json"));
        foreach (var gz in Directory.EnumerateFiles(Path.Combine(Fixtures, "saved_models"), "*.pt.gz", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(Fixtures, gz)[..^3];
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_clone, rel))!);
            using var src = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
            using var dst = File.Create(Path.Combine(_clone, rel));
            src.CopyTo(dst);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static float[] Floats(string name) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Fixtures, name))).ToArray();

    private static InferenceSession Session(string path) =>
        // Op by op as PyTorch (Conv+BatchNorm fusion rounds differently).
        new(path, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL });

    private static float[] Run(InferenceSession s, string input, string output, float[] x, long[] shape)
    {
        using var v = OrtValue.CreateTensorValueFromMemory(x, shape);
        using var r = s.Run(new RunOptions(), [input], [v], [output]);
        return r[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Each patch alone through the encoder: its mean embedding is the patch's z.</summary>
    private static float[] EncodeEach(string onnx, float[] patches)
    {
        using var s = Session(onnx);
        var z = new List<float>();
        for (int p = 0; p < patches.Length / 9216; p++)
            z.AddRange(Run(s, OnnxEncoderWriter.InputName, OnnxEncoderWriter.MeanOutput, patches[(p * 9216)..((p + 1) * 9216)], [1, 9216]));
        return z.ToArray();
    }

    private static float MaxDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => MathF.Abs(x - y)).Max();
    }

    private void AssertParity(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Count(v => v != 0) > expected.Length / 10, $"{what}: reference output mostly zeros, the test would be vacuous");
        float max = MaxDiff(expected, actual);
        double mean = expected.Zip(actual, (x, y) => (double)MathF.Abs(x - y)).Average();
        _output.WriteLine($"{what}: max abs diff {max:E2}, mean abs diff {mean:E2}, max abs value {expected.Max(MathF.Abs):F3}");
        Assert.True(max <= 1e-5f, $"{what}: max abs difference {max} (max abs value {expected.Max(MathF.Abs)})");
    }

    [Fact]
    public void TheRealScalerPickleReadsAs96MelBandMinimaAndMaxima()
    {
        var s = SklearnScalerFile.Read(Path.Combine(Fixtures, "scaler_top_1000.pkl"));
        Assert.Equal(96, s.Bands);
        // Values as the pickle holds them (checked with Python's pickle + struct): band 0, 4, 31, 95.
        Assert.Equal(-14.110696792602539f, s.Min[0]);
        Assert.Equal(5.216434955596924f, s.Max[0]);
        Assert.Equal(6.6549458503723145f, s.Max[4]);
        Assert.Equal(3.542788505554199f, s.Max[31]);
        Assert.Equal(2.7609846591949463f, s.Max[95]);
        Assert.Equal(-12.891363143920898f, s.Min[95]);
        // The low bands' maxima lie well above the high bands' (the mel-band pattern behind the orientation call).
        Assert.True(s.Max.Take(30).Min() > s.Max.Skip(32).Max());
    }

    [Fact]
    public void TheRealVocabularyReadsInIndexOrder()
    {
        var words = ReferenceImporter.ReadVocabulary(Path.Combine(Fixtures, "json", "id2token_top_1000.json"));
        Assert.Equal(1000, words.Length);
        Assert.Equal(["close", "closing", "drawer", "foley", "kitchen"], words[..5]);
    }

    [Fact]
    public void AeCImportMatchesPytorchOnTheSamePatches()
    {
        string onnx = Path.Combine(_dir, "coala-paper-aec.onnx");
        var (enc, tags) = ReferenceImporter.Import(_clone, CoalaVariant.AeC, onnx);
        Assert.Equal(onnx, enc);
        Assert.Equal(OnnxTagModelWriter.CompanionPath(onnx), tags);

        AssertParity(Floats("aec.z.f32"), EncodeEach(onnx, Floats("patches.f32")), "AE-C audio encoder (legacy-format state dict)");

        using var t = Session(tags!);
        AssertParity(Floats("aec.tag_aligned.f32"),
            Run(t, OnnxTagModelWriter.TagsInput, OnnxTagModelWriter.TagOutput, Floats("tags.f32"), [3, 1000]), "tag encoder + fc_tag");
        AssertParity(Floats("aec.audio_aligned.f32"),
            Run(t, OnnxTagModelWriter.AudioInput, OnnxTagModelWriter.AudioOutput, Floats("aec.z.f32"), [4, 1152]), "fc_audio");

        using var s = Session(onnx);
        var meta = s.ModelMetadata.CustomMetadataMap;
        Assert.Equal("aec", meta[OnnxEncoderWriter.KeyTrainingVariant]);
        Assert.Equal(OnnxEncoderWriter.FramesByBands, meta[OnnxEncoderWriter.KeyConvInput]);
        Assert.Equal("22000", meta[Features.FrontendSettings.KeySampleRate]);
        Assert.Equal("xavierfav/coala saved_models/dual_ae_c/audio_encoder_epoch_200.pt", meta[ReferenceImporter.KeySource]);
        Assert.Equal(64, meta[ReferenceImporter.KeySha256].Length);
    }

    [Fact]
    public void ECImportReadsItsOwnFolder()
    {
        // E-C saves the same two modules as AE-C: the AE-C fixture files at E-C's paths.
        string from = Path.Combine(_clone, "saved_models", "dual_ae_c"), to = Path.Combine(_clone, "saved_models", "dual_e_c");
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        string onnx = Path.Combine(_dir, "coala-paper-ec.onnx");
        var (_, tags) = ReferenceImporter.Import(_clone, CoalaVariant.EC, onnx);
        Assert.NotNull(tags);
        AssertParity(Floats("aec.z.f32"), EncodeEach(onnx, Floats("patches.f32")), "E-C audio encoder");
        using var s = Session(onnx);
        Assert.Equal("xavierfav/coala saved_models/dual_e_c/audio_encoder_epoch_200.pt", s.ModelMetadata.CustomMetadataMap[ReferenceImporter.KeySource]);
    }

    [Fact]
    public void CnnImportReadsTheZipFormatThroughPybridgeAndMatchesPytorch()
    {
        string onnx = Path.Combine(_dir, "coala-paper-cnn.onnx");
        var (_, tags) = ReferenceImporter.Import(_clone, CoalaVariant.Cnn, onnx);
        Assert.Null(tags); // the CNN has no tag encoder
        AssertParity(Floats("cnn.z.f32"), EncodeEach(onnx, Floats("patches.f32")), "CNN encoder (zip-format state dict)");
    }

    [Fact]
    public void TheImportedModelEmbedsAudioThroughThePublicApi()
    {
        string onnx = Path.Combine(_dir, "coala-paper-aec.onnx");
        ReferenceImporter.Import(_clone, CoalaVariant.AeC, onnx, tags: false);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = onnx });
        var samples = Enumerable.Range(0, 44100 * 3).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 440 * i / 44100f)).ToArray();
        var v = embedder.Embed(samples, 44100);
        Assert.True(v.Length >= 1152 && v.All(float.IsFinite) && v.Any(x => x != 0));
    }

    [Fact]
    public void LegacyAndZipFilesLoadInAnyOrderInOneProcess()
    {
        // Razorvine keeps one process-wide table of constructors that PyBridge's zip reader and our legacy reader share.
        var patches = Floats("patches.f32");
        foreach (var v in new[] { CoalaVariant.AeC, CoalaVariant.Cnn, CoalaVariant.AeC, CoalaVariant.Cnn })
        {
            string onnx = Path.Combine(_dir, $"{v}-{Guid.NewGuid():N}.onnx");
            ReferenceImporter.Import(_clone, v, onnx, tags: false);
            Assert.True(MaxDiff(Floats(v == CoalaVariant.Cnn ? "cnn.z.f32" : "aec.z.f32"), EncodeEach(onnx, patches)) <= 1e-5f, $"{v}");
        }
    }

    [Fact]
    public void TheOrientationMattersWithTheseWeights()
    {
        // The same weights without the transpose give embeddings far from PyTorch's: the parity above tests the orientation.
        string onnx = Path.Combine(_dir, "a.onnx");
        ReferenceImporter.Import(_clone, CoalaVariant.AeC, onnx, tags: false);
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        var transpose = model.Graph.Node.Single(n => n.OpType == "Transpose");
        string into = transpose.Output[0], from = transpose.Input[0];
        foreach (var n in model.Graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == into) n.Input[i] = from;
        model.Graph.Node.Remove(transpose);
        string plain = Path.Combine(_dir, "plain.onnx");
        File.WriteAllBytes(plain, Google.Protobuf.MessageExtensions.ToByteArray(model));
        float diff = MaxDiff(Floats("aec.z.f32"), EncodeEach(plain, Floats("patches.f32")));
        _output.WriteLine($"same weights, untransposed input: max abs diff {diff:F3}");
        Assert.True(diff > 0.1f, $"untransposed input differs by only {diff}");
    }

    [Fact]
    public void AMissingStateDictNamesTheFile()
    {
        var e = Assert.Throws<CoalaException>(() => ReferenceImporter.Import(_clone, CoalaVariant.EC, Path.Combine(_dir, "ec.onnx")));
        Assert.Contains("saved_models/dual_e_c/audio_encoder_epoch_200.pt", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "ec.onnx")));
    }

    [Fact]
    public void AFileThatIsNotAStateDictIsRefusedWithItsName()
    {
        // The scaler pickle where the audio encoder should be: a pickle, but not a PyTorch file.
        string target = Path.Combine(_clone, "saved_models", "dual_ae_c", "audio_encoder_epoch_200.pt");
        File.Copy(Path.Combine(_clone, "scaler_top_1000.pkl"), target, overwrite: true);
        var e = Assert.Throws<CoalaException>(() => ReferenceImporter.Import(_clone, CoalaVariant.AeC, Path.Combine(_dir, "x.onnx")));
        Assert.Contains("audio_encoder_epoch_200.pt", e.Message);
        Assert.Contains("not a PyTorch file", e.Message);
    }

    [Fact]
    public void ATruncatedLegacyFileIsRefusedWithItsName()
    {
        string target = Path.Combine(_clone, "saved_models", "dual_ae_c", "audio_encoder_epoch_200.pt");
        var bytes = File.ReadAllBytes(target);
        File.WriteAllBytes(target, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<CoalaException>(() => ReferenceImporter.Import(_clone, CoalaVariant.AeC, Path.Combine(_dir, "x.onnx")));
        Assert.Contains("audio_encoder_epoch_200.pt", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void StateDictOfTheWrongModuleIsRefused()
    {
        // The tag encoder's file where the audio encoder's should be: keys do not match.
        string dir = Path.Combine(_clone, "saved_models", "dual_ae_c");
        File.Copy(Path.Combine(dir, "tag_encoder_epoch_200.pt"), Path.Combine(dir, "audio_encoder_epoch_200.pt"), overwrite: true);
        var e = Assert.Throws<CoalaException>(() => ReferenceImporter.Import(_clone, CoalaVariant.AeC, Path.Combine(_dir, "x.onnx")));
        Assert.Contains("do not match", e.Message);
    }
}
