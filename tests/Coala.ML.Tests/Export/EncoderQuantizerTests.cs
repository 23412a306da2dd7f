using Coala.ML.Features;
using Coala.ML.Cli.Commands;
using Coala.ML.Export;
using Coala.ML.Model;
using Coala.ML.Tests.TestSupport;
using Onnx;
using Xunit.Abstractions;

namespace Coala.ML.Tests.Export;

/// <summary>
/// The int8 encoder (<see cref="EncoderQuantizer"/>, <c>coala quantize</c>). Quality is checked by cosine between the
/// fp32 and int8 mean embeddings of clips the calibration did not see. Threshold 0.99: on the shipped AE-C the
/// measured cosine is min 0.9994, mean 0.9999 over 4,882 FSDD and drum clips, while two different clips' fp32
/// embeddings have a mean cosine of 0.45 there: 0.99 sits far above unrelated clips and leaves room below the
/// measured value for other weights and inputs. No timings here: speed is measured by bench/e2e/run.sh.
/// </summary>
[Collection("Console")] // the CLI tests write to the process-wide console
public class EncoderQuantizerTests(ITestOutputHelper output)
{
    private const double MinCosine = 0.99;

    /// <summary>A folder of generated clips of assorted rates and lengths, each with its own tones and noise.</summary>
    private static string Clips(string name, int count, int seed)
    {
        var dir = TestAssets.TempDir(name);
        int[] rates = [22050, 16000, 44100];
        for (int i = 0; i < count; i++)
        {
            int rate = rates[i % rates.Length];
            TestAssets.WriteWav(Path.Combine(dir, $"clip{i}.wav"), TestAssets.Signal(2.5 + i % 3, rate, seed + i, f0: 110 + 57 * ((seed + i) % 9)), rate);
        }
        return dir;
    }

    private static List<string> Wavs(string dir) => Directory.GetFiles(dir, "*.wav").Order(StringComparer.Ordinal).ToList();

    private static (CoalaModel Fp32, byte[] Int8) Quantize(string modelPath, string calibration, int maxPatches = EncoderQuantizer.DefaultMaxPatches)
    {
        var fp32 = CoalaModel.Load(modelPath);
        var ranges = EncoderQuantizer.Calibrate(fp32, Wavs(calibration), maxPatches);
        return (fp32, EncoderQuantizer.Quantize(fp32, ranges, "int8.onnx"));
    }

    /// <summary>Cosines between fp32 and int8 mean embeddings of <paramref name="files"/>; asserts 1152 finite values.</summary>
    private List<double> Cosines(CoalaModel fp32, CoalaModel int8, IEnumerable<string> files)
    {
        using var a = new EncoderSession(fp32);
        using var b = new EncoderSession(int8);
        var source = new PatchSource(fp32.Frontend);
        var cosines = new List<double>();
        foreach (var f in files)
        {
            using var s1 = source.OpenFile(f);
            using var s2 = source.OpenFile(f);
            var x = a.Embed(s1, withStd: false);
            var y = b.Embed(s2, withStd: false);
            Assert.Equal(1152, y.Length);
            Assert.All(y, v => Assert.True(float.IsFinite(v)));
            cosines.Add(CoalaTagIndex.Cosine(x, y));
        }
        output.WriteLine($"cosine fp32 vs int8 on {cosines.Count} unseen clips: min {cosines.Min():F5}, mean {cosines.Average():F5}");
        return cosines;
    }

    [Fact]
    public void TheShippedModelQuantizesToQLinearConvWithItsScalerAndMetadataAndCloseEmbeddings()
    {
        string shipped = ModelLocator.DefaultModelPath;
        var (fp32, bytes) = Quantize(shipped, Clips("calibration", 6, seed: 1));
        var int8 = CoalaModel.FromBytes(bytes, "int8.onnx");
        Assert.Equal(EncoderQuantizer.SchemeInt8, int8.Quantization);
        Assert.Null(fp32.Quantization);

        // Every fp32 metadata entry is carried over unchanged; the quantization keys are added.
        foreach (var (k, v) in fp32.Metadata) Assert.Equal(v, int8.Metadata[k]);
        Assert.Contains(EncoderQuantizer.KeyCalibration, int8.Metadata.Keys);
        Assert.Equal(fp32.Frontend.ToMetadata(), int8.Frontend.ToMetadata());

        // The blocks are QLinearConv; the frontend scaler and pooling stay fp32 and byte-identical.
        var a = ModelProto.Parser.ParseFrom(fp32.Bytes).Graph;
        var b = ModelProto.Parser.ParseFrom(bytes).Graph;
        Assert.Equal(5, b.Node.Count(n => n.OpType == "QLinearConv"));
        Assert.DoesNotContain(b.Node, n => n.OpType is "Conv" or "BatchNormalization" or "Relu");
        foreach (var name in new[] { MinMaxScaler.GraphMinName, MinMaxScaler.GraphScaleName, OnnxEncoderWriter.PatchShapeName })
            Assert.Equal(a.Initializer.Single(t => t.Name == name), b.Initializer.Single(t => t.Name == name));
        Assert.Equal(a.Output, b.Output);
        Assert.True(bytes.Length < fp32.Bytes.Length / 3, $"int8 model {bytes.Length} bytes vs fp32 {fp32.Bytes.Length}");

        // Tag models exported beside the fp32 encoder pair with the int8 one.
        Assert.Equal(EncoderFingerprint.Of(fp32.Bytes, shipped), EncoderFingerprint.Of(bytes, "int8.onnx"));

        var cosines = Cosines(fp32, int8, Wavs(Clips("unseen", 6, seed: 100)));
        Assert.All(cosines, c => Assert.True(c > MinCosine, $"cosine {c}"));
    }

    [Fact]
    public void ARandomEncoderQuantizesCloselyToo()
    {
        var (fp32, bytes) = Quantize(TestAssets.RandomModel(seed: 3), Clips("calibration-random", 4, seed: 7), maxPatches: 8);
        var int8 = CoalaModel.FromBytes(bytes, "int8.onnx");
        Assert.StartsWith("min/max of ", int8.Metadata[EncoderQuantizer.KeyCalibration]);
        Assert.All(Cosines(fp32, int8, Wavs(Clips("unseen-random", 4, seed: 50))), c => Assert.True(c > MinCosine, $"cosine {c}"));
    }

    [Fact]
    public void FoldedWeightsAreWithinHalfAStepOfTheBatchNormFoldedConvolution()
    {
        var w = TestModels.Weights;
        const float inputScale = 0.01f;
        for (int block = 0; block < EncoderWeights.Blocks; block++)
        {
            var (q, scale, bias) = EncoderQuantizer.FoldAndQuantize(w, block, inputScale);
            string conv = EncoderWeights.ConvName(block), bn = EncoderWeights.BatchNormName(block);
            int per = q.Length / EncoderWeights.Channels;
            for (int c = 0; c < EncoderWeights.Channels; c++)
            {
                double f = w[bn + ".weight"].Values[c] / Math.Sqrt(w[bn + ".running_var"].Values[c] + EncoderWeights.BatchNormEpsilon);
                Assert.Contains(q.AsSpan(c * per, per).ToArray(), v => Math.Abs((int)v) == 127); // the largest weight uses the full range
                for (int i = 0; i < per; i++)
                    Assert.True(Math.Abs(q[c * per + i] * (double)scale[c] - w[conv + ".weight"].Values[c * per + i] * f) <= scale[c] * 0.5001);
                double b = (w[conv + ".bias"].Values[c] - w[bn + ".running_mean"].Values[c]) * f + w[bn + ".bias"].Values[c];
                Assert.True(Math.Abs(bias[c] * (double)inputScale * scale[c] - b) <= inputScale * scale[c] * 0.5001);
            }
        }
    }

    [Fact]
    public void AQuantizedModelIsNotQuantizedAgain()
    {
        var (_, bytes) = Quantize(TestAssets.RandomModel(seed: 3), Clips("calibration-twice", 2, seed: 3), maxPatches: 4);
        var int8 = CoalaModel.FromBytes(bytes, "int8.onnx");
        var e = Assert.Throws<CoalaException>(() => EncoderQuantizer.Calibrate(int8, Wavs(Clips("again", 1, seed: 4))));
        Assert.Contains("already quantized", e.Message);
    }

    [Fact]
    public void TheCliWritesTheInt8ModelAndReportsTheCosine()
    {
        var dir = TestAssets.TempDir("quantize-cli");
        string model = Path.Combine(dir, "m.onnx");
        File.Copy(TestAssets.RandomModel(seed: 5), model);
        string outPath = Path.Combine(dir, "m.int8.onnx");
        var (code, stdout, stderr) = CliRunner.Run("quantize", "--model", model, "--calibration", Clips("quantize-cli-audio", 3, seed: 9), "--output", outPath);
        Assert.True(code == 0, stderr);
        Assert.Contains("calibrated on", stdout);
        Assert.Contains("cosine fp32 vs int8 on 3 calibration file(s)", stdout);
        Assert.Equal(EncoderQuantizer.SchemeInt8, CoalaModel.Load(outPath).Quantization);

        // coala embed says which encoder it ran.
        var (embedCode, _, embedErr) = CliRunner.Run("embed", Clips("quantize-cli-embed", 1, seed: 11), "--model", outPath, "--output", Path.Combine(dir, "e.csv"));
        Assert.True(embedCode == 0, embedErr);
        Assert.Contains($"with a quantized encoder ({EncoderQuantizer.SchemeInt8})", embedErr);
    }

    [Fact]
    public void BadInputsFailClearlyAndTouchNothing()
    {
        var dir = TestAssets.TempDir("quantize-bad");
        string model = Path.Combine(dir, "m.onnx");
        File.Copy(TestAssets.RandomModel(seed: 5), model);
        byte[] before = File.ReadAllBytes(model);
        string audio = Clips("quantize-bad-audio", 1, seed: 2);
        string empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "not audio");
        string outPath = Path.Combine(dir, "out.onnx");

        void Fails(string expected, params string[] args)
        {
            var (code, _, stderr) = CliRunner.Run(["quantize", .. args]);
            Assert.Equal(1, code);
            Assert.StartsWith("coala quantize: ", stderr);
            Assert.Contains(expected, stderr);
        }
        Fails("calibration folder not found", "--model", model, "--calibration", Path.Combine(dir, "missing"), "--output", outPath);
        Fails("holds no audio files", "--model", model, "--calibration", empty, "--output", outPath);
        Fails("is not a folder", "--model", model, "--calibration", Wavs(audio)[0], "--output", outPath);
        Fails("is the input model; refusing to overwrite it", "--model", model, "--calibration", audio, "--output", model);
        Fails("model file not found", "--model", Path.Combine(dir, "nope.onnx"), "--calibration", audio, "--output", outPath);
        Fails("--max-patches 0", "--model", model, "--calibration", audio, "--output", outPath, "--max-patches", "0");
        Assert.False(File.Exists(outPath));
        Assert.Equal(before, File.ReadAllBytes(model));

        // A folder of files that are all unreadable: no patches, a clear error, no output.
        string broken = Directory.CreateDirectory(Path.Combine(dir, "broken")).FullName;
        File.WriteAllBytes(Path.Combine(broken, "x.wav"), [1, 2, 3, 4]);
        Fails("no calibration patches", "--model", model, "--calibration", broken, "--output", outPath);
        Assert.False(File.Exists(outPath));
    }
}
