using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;
using Onnx;
using Xunit.Abstractions;

namespace Coala.ML.Tests.Export;

/// <summary>Reference features of three random default-size patches, computed once.</summary>
public sealed class ReferenceFeaturesFixture
{
    public const int Bands = 96, Frames = 96;
    internal float[] Patches { get; } = TestModels.Patches(3, Bands, Frames, seed: 99);
    internal float[][] Features { get; }

    public ReferenceFeaturesFixture()
    {
        var scaler = TestModels.Scaler(Bands);
        Features = Enumerable.Range(0, 3).AsParallel()
            .Select(p => ReferenceEncoder.Features(TestModels.Weights, scaler, Patches.AsSpan(p * Bands * Frames, Bands * Frames), Bands, Frames))
            .ToArray();
    }
}

public class OnnxEncoderWriterTests(ReferenceFeaturesFixture reference, ITestOutputHelper output) : IClassFixture<ReferenceFeaturesFixture>
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void OnnxRuntimeMatchesReferenceForOneTwoAndThreePatches()
    {
        var model = CoalaModel.FromBytes(TestModels.DefaultModel, "default.onnx");
        using var session = new EncoderSession(model);
        int per = ReferenceFeaturesFixture.Bands * ReferenceFeaturesFixture.Frames;
        float worstMean = 0, worstStd = 0;
        for (int n = 1; n <= 3; n++)
        {
            var (mean, std) = ReferenceEncoder.Pool(reference.Features.Take(n).ToList());
            var got = session.Embed(reference.Patches.AsSpan(0, n * per).ToArray(), n, withStd: true);
            Assert.Equal(2 * 1152, got.Length);
            float em = TestModels.MaxAbsDiff(mean, got.AsSpan(0, 1152));
            float es = TestModels.MaxAbsDiff(std, got.AsSpan(1152));
            output.WriteLine($"{n} patch(es): max |mean err| {em:E2}, max |std err| {es:E2}, mean |emb| {mean.Average(Math.Abs):F4}");
            Assert.True(em < Tolerance, $"mean error {em} for {n} patches");
            Assert.True(es < Tolerance, $"std error {es} for {n} patches");
            worstMean = Math.Max(worstMean, em);
            worstStd = Math.Max(worstStd, es);
            // Not trivially zero: the embedding has signal and (for n > 1) spread.
            Assert.Contains(mean, v => v > 0.01f);
            if (n > 1) Assert.Contains(std, v => v > 0.01f);

            var meanOnly = session.Embed(reference.Patches.AsSpan(0, n * per).ToArray(), n, withStd: false);
            Assert.Equal(got.AsSpan(0, 1152).ToArray(), meanOnly);
        }
        output.WriteLine($"worst: mean {worstMean:E2}, std {worstStd:E2}");
    }

    [Fact]
    public void IdenticalPatchesGiveZeroStdAndTheSinglePatchEmbedding()
    {
        var model = CoalaModel.FromBytes(TestModels.DefaultModel, "default.onnx");
        using var session = new EncoderSession(model);
        int per = ReferenceFeaturesFixture.Bands * ReferenceFeaturesFixture.Frames;
        var one = reference.Patches.AsSpan(0, per).ToArray();
        var single = session.Embed(one, 1, withStd: true);
        Assert.All(single.Skip(1152), v => Assert.Equal(0f, v));
        for (int n = 2; n <= 3; n++)
        {
            var repeated = Enumerable.Repeat(one, n).SelectMany(p => p).ToArray();
            var got = session.Embed(repeated, n, withStd: true);
            float em = TestModels.MaxAbsDiff(single.AsSpan(0, 1152), got.AsSpan(0, 1152));
            float maxStd = got.Skip(1152).Max();
            output.WriteLine($"{n} identical patches: mean diff {em:E2}, max std {maxStd:E2}");
            Assert.True(em < 1e-5f, $"mean differs by {em}");
            Assert.True(maxStd < 1e-3f && got.Skip(1152).All(v => v >= 0), $"std up to {maxStd}");
        }
    }

    [Fact]
    public void NonDefaultFrontendGivesItsOwnEmbeddingSizeAndMatchesReference()
    {
        var frontend = FrontendSettings.Default with { MelBands = 64, PatchFrames = 128 };
        var scaler = TestModels.Scaler(64, seed: 3);
        var bytes = OnnxEncoderWriter.Write(TestModels.Weights, frontend, scaler);
        var model = CoalaModel.FromBytes(bytes, "m64.onnx");
        Assert.Equal(128 * 2 * 4, model.EmbeddingDim);
        using var session = new EncoderSession(model);
        var patch = TestModels.Patches(1, 64, 128, seed: 5);
        var expected = ReferenceEncoder.Features(TestModels.Weights, scaler, patch, 64, 128);
        var got = session.Embed(patch, 1, withStd: false);
        float err = TestModels.MaxAbsDiff(expected, got);
        output.WriteLine($"64x128 patch: max err {err:E2}");
        Assert.True(err < Tolerance);
    }

    [Fact]
    public void GraphDeclaresItsInterfaceAndMetadata()
    {
        var extra = new Dictionary<string, string> { ["coala.training.run"] = "test-run" };
        var model = ModelProto.Parser.ParseFrom(OnnxEncoderWriter.Write(TestModels.Weights, FrontendSettings.Default, TestModels.Scaler(96), extra));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal("Coala.ML", model.ProducerName);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);

        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("coala_logmel", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal(2, dims.Count);
        Assert.Equal(1, dims[0].DimValue);
        Assert.Equal("L", dims[1].DimParam);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);

        Assert.Equal(["coala_mean", "coala_std", "coala_windows"], model.Graph.Output.Select(o => o.Name));
        foreach (var o in model.Graph.Output.Take(2))
            Assert.Equal([1152L], o.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        var windows = model.Graph.Output[2].Type.TensorType.Shape.Dim;   // [P, 1152], P symbolic
        Assert.Equal("P", windows[0].DimParam);
        Assert.Equal(1152L, windows[1].DimValue);

        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        foreach (var (k, v) in FrontendSettings.Default.ToMetadata()) Assert.Equal(v, meta[k]);
        Assert.Equal("1152", meta["coala.embedding_dim"]);
        Assert.Equal("1", meta["coala.format_version"]);
        Assert.Equal("coala-audio-encoder-v1", meta["coala.architecture"]);
        Assert.Equal("test-run", meta["coala.training.run"]);

        // Weights keep their state-dict names; ops are the expected ones.
        Assert.Contains(model.Graph.Initializer, t => t.Name == "audio_encoder.16.weight");
        Assert.Contains(model.Graph.Initializer, t => t.Name == "audio_encoder.17.running_var");
        Assert.Equal(5, model.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.Equal(5, model.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.Equal(5, model.Graph.Node.Count(n => n.OpType == "Relu"));
    }

    [Fact]
    public void WriteToPathIsAtomicAndOverwrites()
    {
        using var dir = new TempDir();
        string path = dir.File("sub/encoder.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "old content");
        var scaler = TestModels.Scaler(96);
        OnnxEncoderWriter.Write(path, TestModels.Weights, FrontendSettings.Default, scaler);
        Assert.Equal(OnnxEncoderWriter.Write(TestModels.Weights, FrontendSettings.Default, scaler), File.ReadAllBytes(path));
        Assert.Equal(["encoder.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteToAnUnwritablePathIsACoalaException()
    {
        using var dir = new TempDir();
        string blocker = dir.File("file");
        File.WriteAllText(blocker, "x");
        string path = Path.Combine(blocker, "encoder.onnx"); // a file used as a folder
        var e = Assert.Throws<CoalaException>(() => OnnxEncoderWriter.Write(path, TestModels.Weights, FrontendSettings.Default, TestModels.Scaler(96)));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void RejectsInconsistentInputs()
    {
        var w = TestModels.Weights;
        var e = Assert.Throws<CoalaException>(() => OnnxEncoderWriter.Write(w, FrontendSettings.Default, TestModels.Scaler(64)));
        Assert.Contains("64 bands", e.Message);

        e = Assert.Throws<CoalaException>(() => OnnxEncoderWriter.Write(w, FrontendSettings.Default with { MelBands = 80 }, TestModels.Scaler(80)));
        Assert.Contains("divisible by 32", e.Message);

        var missing = EncoderWeights.Random(1);
        missing.Tensors.Remove("audio_encoder.9.running_mean");
        e = Assert.Throws<CoalaException>(() => OnnxEncoderWriter.Write(missing, FrontendSettings.Default, TestModels.Scaler(96)));
        Assert.Contains("audio_encoder.9.running_mean", e.Message);

        var badShape = EncoderWeights.Random(1);
        badShape.Tensors["audio_encoder.4.weight"] = new([128, 128, 3, 3], new float[128 * 128 * 9]);
        e = Assert.Throws<CoalaException>(() => OnnxEncoderWriter.Write(badShape, FrontendSettings.Default, TestModels.Scaler(96)));
        Assert.Contains("audio_encoder.4.weight", e.Message);

        e = Assert.Throws<CoalaException>(() => OnnxEncoderWriter.Write(w, FrontendSettings.Default, TestModels.Scaler(96),
            new Dictionary<string, string> { ["coala.n_mels"] = "64" }));
        Assert.Contains("coala.n_mels", e.Message);
    }
}
