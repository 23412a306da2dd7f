using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Tags;
using Coala.ML.Training.Networks;
using Coala.ML.Training;
using Microsoft.ML.OnnxRuntime;

namespace Coala.ML.Training.Tests.Export;

/// <summary><c>coala export --tags</c>: the tag model computes what TorchSharp's eval-mode tag encoder and heads compute.</summary>
public class TagExportTests : IDisposable
{
    private static readonly string[] Vocabulary = ["kick", "snare", "hat", "bass", "pad", "lead"];
    private readonly string _dir = Directory.CreateTempSubdirectory("coala-tagexport-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// A checkpoint of randomly initialised networks (no training: fast), with random BatchNorm statistics and
    /// affine parameters so that eval-mode BatchNorm is not the identity.
    /// </summary>
    private string RandomCheckpoint(CoalaVariant variant, bool withVocabulary = true)
    {
        torch.manual_seed(11);
        using var nets = new CoalaNetworks(variant, Vocabulary.Length);
        var rng = new Random(5);
        using (torch.no_grad())
            foreach (var (_, module) in nets.Parts)
                foreach (var (key, t) in module.state_dict())
                {
                    if (t.dtype != torch.ScalarType.Float32 || t.dim() != 1) continue;
                    long n = t.shape[0];
                    float[] values = key.EndsWith("running_var", StringComparison.Ordinal)
                        ? Enumerable.Range(0, (int)n).Select(_ => 0.3f + (float)rng.NextDouble()).ToArray()
                        : Enumerable.Range(0, (int)n).Select(_ => (key.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f) + 0.2f * (float)(rng.NextDouble() - 0.5)).ToArray();
                    t.copy_(torch.tensor(values));
                }
        var config = new RunConfig
        {
            Variant = CoalaVariants.Name(variant),
            VocabularySize = Vocabulary.Length,
            Epochs = 1,
            Dropout = 0.25,
            Frontend = new Dictionary<string, string>(FrontendSettings.Default.ToMetadata()),
            ScalerMin = new float[96],
            ScalerMax = Enumerable.Repeat(1f, 96).ToArray(),
            Vocabulary = withVocabulary ? Vocabulary : [],
        };
        string path = Path.Combine(_dir, CoalaVariants.Name(variant) + (withVocabulary ? "" : "-novocab") + ".coala");
        TrainingCheckpoint.Capture(config, 1, [], nets, null).Save(path);
        return path;
    }

    private static float[] Run(InferenceSession s, string input, string output, float[] x, int rows, int width)
    {
        using var v = OrtValue.CreateTensorValueFromMemory(x, [rows, width]);
        using var r = s.Run(new RunOptions(), [input], [v], [output]);
        return r[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Any(v => v != 0), $"{what}: reference output is all zeros, the test would be vacuous");
        float max = expected.Zip(actual, (a, b) => MathF.Abs(a - b)).Max();
        float bound = 1e-5f * MathF.Max(1f, expected.Max(MathF.Abs));
        Assert.True(max <= bound, $"{what}: max abs difference {max}, max abs value {expected.Max(MathF.Abs)}");
    }

    [Theory]
    [InlineData("aec")]
    [InlineData("ec")]
    public void TagModelMatchesTorchSharpEvalForward(string variantName)
    {
        var variant = CoalaVariants.Parse(variantName);
        string ck = RandomCheckpoint(variant);
        string onnx = Path.Combine(_dir, variantName + ".onnx");
        string? tagPath = CheckpointExporter.Export(ck, onnx, tags: true);
        Assert.Equal(Path.Combine(_dir, variantName + ".tags.onnx"), tagPath);

        // Multi-hot rows: each word alone, two words, all words.
        int v = Vocabulary.Length;
        var rows = new List<float[]>();
        for (int j = 0; j < v; j++) { var r = new float[v]; r[j] = 1; rows.Add(r); }
        rows.Add([1, 0, 1, 0, 0, 0]);
        rows.Add(Enumerable.Repeat(1f, v).ToArray());
        var hot = rows.SelectMany(r => r).ToArray();
        var rng = new Random(3);
        var patches = Enumerable.Range(0, 2 * 96 * 96).Select(_ => (float)rng.NextDouble()).ToArray();

        using var nets = CheckpointExporter.LoadNetworks(TrainingCheckpoint.Load(ck), ck);
        float[] tagExpected, z, zd;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            tagExpected = nets.TagEncoder!.forward(torch.tensor(hot, [rows.Count, v])).ZD.data<float>().ToArray();
            var (za, zda) = nets.AudioEncoder!.forward(torch.tensor(patches, [2, 1, 96, 96]));
            z = za.data<float>().ToArray();
            zd = zda.data<float>().ToArray();
        }

        // Op by op (no fusions), as TorchSharp computes it.
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(tagPath!, options);
        AssertClose(tagExpected, Run(session, OnnxTagModelWriter.TagsInput, OnnxTagModelWriter.TagOutput, hot, rows.Count, v), "tag encoder + head");
        AssertClose(zd, Run(session, OnnxTagModelWriter.AudioInput, OnnxTagModelWriter.AudioOutput, z, 2, 1152), "audio head");
        Assert.Equal(variantName, session.ModelMetadata.CustomMetadataMap[OnnxEncoderWriter.KeyTrainingVariant]);

        // Through the library (optimised session), paired with the exported encoder.
        using var index = new CoalaTagIndex(onnx);
        Assert.Equal(Vocabulary, index.Vocabulary);
        AssertClose(tagExpected.AsSpan(6 * 1152, 1152).ToArray(), index.Query("kick", "hat"), "library query");
        AssertClose(zd.AsSpan(0, 1152).ToArray(), index.AlignAudio(z.AsSpan(0, 1152)), "library audio head");
        // The encoder file is unchanged by --tags and still loads as an encoder.
        Assert.Equal(1152, Coala.ML.Model.CoalaModel.Load(onnx).EmbeddingDim);
    }

    [Fact]
    public void TrainingCountsTravelIntoTheTagModelWhenTheCheckpointHasThem()
    {
        string withCounts = RandomCheckpoint(CoalaVariant.AeC);
        var ck = TrainingCheckpoint.Load(withCounts);
        int[] counts = Enumerable.Range(0, Vocabulary.Length).Select(i => 10 * (Vocabulary.Length - i)).ToArray();
        ck.Config.TagCounts = counts;
        string path = Path.Combine(_dir, "counted.coala");
        new TrainingCheckpoint { Config = ck.Config, Epoch = ck.Epoch, History = ck.History, Networks = ck.Networks, OptimizerState = ck.OptimizerState }.Save(path);
        string? tags = CheckpointExporter.Export(path, Path.Combine(_dir, "counted.onnx"), tags: true);
        using (var model = TagModel.Load(tags!)) Assert.Equal(counts, model.TagCounts);
        string? plain = CheckpointExporter.Export(withCounts, Path.Combine(_dir, "plain.onnx"), tags: true);
        using (var model = TagModel.Load(plain!)) Assert.Null(model.TagCounts);
    }

    [Fact]
    public void ACnnCheckpointHasNoTagModelAndNothingIsWritten()
    {
        string ck = RandomCheckpoint(CoalaVariant.Cnn);
        string onnx = Path.Combine(_dir, "cnn.onnx");
        var e = Assert.Throws<CoalaException>(() => CheckpointExporter.Export(ck, onnx, tags: true));
        Assert.Equal(ck, e.FilePath);
        Assert.Contains("CNN checkpoint has no tag encoder", e.Message);
        Assert.False(File.Exists(onnx));
        Assert.Null(CheckpointExporter.Export(ck, onnx, tags: false)); // the encoder alone still exports
        Assert.True(File.Exists(onnx));
    }

    [Fact]
    public void ACheckpointWithoutVocabularyCannotNameItsTags()
    {
        string ck = RandomCheckpoint(CoalaVariant.EC, withVocabulary: false);
        var e = Assert.Throws<CoalaException>(() => CheckpointExporter.Export(ck, Path.Combine(_dir, "nv.onnx"), tags: true));
        Assert.Contains("no vocabulary words", e.Message);
        Assert.Equal(ck, e.FilePath);
    }
}
