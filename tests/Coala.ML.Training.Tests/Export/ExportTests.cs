using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Training.Networks;
using Coala.ML.Training.Tests.Trainer;
using Coala.ML.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Coala.ML.Training.Tests.Export;

/// <summary>A tiny trained model exported to ONNX computes what TorchSharp's eval forward pass computes.</summary>
public class ExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coala-export-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static MinMaxScaler Scaler() => new(
        Enumerable.Range(0, 96).Select(b => -10f + 0.01f * b).ToArray(),
        Enumerable.Range(0, 96).Select(b => 2f + 0.02f * b).ToArray());

    private string TrainTiny(CoalaVariant variant)
    {
        string run = Path.Combine(_dir, CoalaVariants.Name(variant));
        var options = TrainerTests.Tiny(variant, 1) with { Plots = false };
        new CoalaTrainer(new SyntheticCorpus(new SyntheticSet(8, 1), new SyntheticSet(4, 2), Scaler()), run, options).Run();
        return Path.Combine(run, TrainingCheckpoint.FileName);
    }

    [Theory]
    [InlineData("aec")]
    [InlineData("cnn")]
    public void OnnxMeanEqualsTorchSharpEvalForward(string variantName)
    {
        var variant = CoalaVariants.Parse(variantName);
        string ckPath = TrainTiny(variant);
        string onnx = Path.Combine(_dir, variantName + ".onnx");
        CheckpointExporter.Export(ckPath, onnx);

        var scaler = Scaler();
        var rng = new Random(5);
        var raw = new float[96 * 96];
        for (int b = 0; b < 96; b++)
            for (int f = 0; f < 96; f++)
                raw[b * 96 + f] = scaler.Min[b] + (float)rng.NextDouble() * (scaler.Max[b] - scaler.Min[b]);
        var scaled = raw.ToArray();
        scaler.Apply(scaled, 96);

        var ck = TrainingCheckpoint.Load(ckPath);
        using var nets = CheckpointExporter.LoadNetworks(ck, ckPath);
        float[] expected;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
            expected = nets.ExportedEncoder.forward(torch.tensor(scaled, [1, 1, 96, 96])).data<float>().ToArray();
        Assert.Equal(1152, expected.Length);
        Assert.True(expected.Any(v => v != 0), "encoder output is all zeros: the test would be vacuous");

        // Without graph fusions (Conv+BatchNorm folding rounds differently) ONNX Runtime evaluates the graph
        // op by op, as TorchSharp does, so the comparison checks the exported math to float32 rounding.
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(onnx, sessionOptions);
        Assert.Equal(variantName, session.ModelMetadata.CustomMetadataMap[OnnxEncoderWriter.KeyTrainingVariant]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxEncoderWriter.InputName, new DenseTensor<float>(raw, [1, raw.Length]))]);
        var mean = results.First(r => r.Name == OnnxEncoderWriter.MeanOutput).AsTensor<float>().ToArray();
        Assert.Equal(1152, mean.Length);
        float maxDiff = expected.Zip(mean, (a, b) => MathF.Abs(a - b)).Max();
        // 1e-5 absolute for outputs of order 1; the untrained-statistics BatchNorms of a 1-epoch model give
        // outputs up to ~50, where float32 spacing is ~4e-6 and convolution summation order alone moves a few ulps,
        // so the bound scales with the largest output.
        float bound = 1e-5f * MathF.Max(1f, expected.Max(MathF.Abs));
        Assert.True(maxDiff <= bound, $"max abs difference {maxDiff}, max abs value {expected.Max(MathF.Abs)}, mean abs {expected.Average(MathF.Abs)}");
    }

    [Fact]
    public void CnnEncoderKeysMapToTheAudioEncoderNames()
    {
        using var nets = new CoalaNetworks(CoalaVariant.Cnn, 4);
        var w = CheckpointExporter.ToEncoderWeights(nets);
        var sd = nets.Cnn!.state_dict();
        Assert.Equal(sd["encoder.16.weight"].data<float>().ToArray(), w["audio_encoder.16.weight"].Values);
        Assert.Equal(sd["encoder.17.running_var"].data<float>().ToArray(), w["audio_encoder.17.running_var"].Values);
    }

    [Fact]
    public void ExportingADamagedCheckpointNamesIt()
    {
        string ck = Path.Combine(_dir, "bad.coala");
        File.WriteAllBytes(ck, new byte[200]);
        var e = Assert.Throws<CoalaException>(() => CheckpointExporter.Export(ck, Path.Combine(_dir, "x.onnx")));
        Assert.Equal(ck, e.FilePath);
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }
}
