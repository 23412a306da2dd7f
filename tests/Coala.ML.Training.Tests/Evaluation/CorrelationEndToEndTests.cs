using Coala.ML.Audio;
using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Training.Data;
using Coala.ML.Evaluation;
using Coala.ML.Training.Tests.Data;

namespace Coala.ML.Training.Tests.Evaluation;

/// <summary><see cref="CorrelationAnalysis"/> on generated clips with random-weight ONNX models.</summary>
public class CorrelationEndToEndTests
{
    private static string WriteModel(TempDir dir, string name, int seed)
    {
        string path = dir.File(name);
        OnnxEncoderWriter.Write(path, EncoderWeights.Random(seed), FrontendSettings.Default, MinMaxScaler.Identity(96));
        return path;
    }

    private static readonly string[] Kinds = ["alpha", "beta", "gamma"];

    /// <summary>Clips of 0.3 - 0.7 s: tones (with a harmonic) and noise at varied levels, at 22050 Hz.</summary>
    private static string WriteClips(TempDir dir, int count)
    {
        var rng = new Random(42);
        for (int i = 0; i < count; i++)
        {
            int n = (int)(22050 * (0.3 + 0.4 * rng.NextDouble()));
            double f = 100 * Math.Pow(2, 6 * rng.NextDouble()), amp = 0.05 + 0.5 * rng.NextDouble(), noise = 0.2 * rng.NextDouble();
            var x = new float[n];
            for (int k = 0; k < n; k++)
                x[k] = (float)(amp * (Math.Sin(2 * Math.PI * f * k / 22050) + 0.3 * Math.Sin(4 * Math.PI * f * k / 22050)) / 1.3
                               + noise * (rng.NextDouble() * 2 - 1));
            WavWriter.WritePcm16(dir.File($"clips/{Kinds[i % 3]}/clip{i:D3}.wav"), x, 22050);
        }
        return Path.Combine(dir.Path, "clips");
    }

    [Fact]
    public void TableHasOneScorePerDescriptorGroupAndModel()
    {
        using var dir = new TempDir();
        string clips = WriteClips(dir, 30);
        var models = new[] { new CorrelationModel("rand-1", WriteModel(dir, "a.onnx", 1)), new CorrelationModel("rand-2", WriteModel(dir, "b.onnx", 2)) };
        var files = CorrelationAnalysis.ResolveClips(clips);
        Assert.Equal(30, files.Count);

        // 30 clips > 6 components + 20 MFCCs.
        var table = CorrelationAnalysis.Run(models, files, new CorrelationOptions { PrincipalComponents = 6 });
        Assert.Equal(12, table.Groups.Count);
        Assert.Equal(["rand-1", "rand-2"], table.Models);
        Assert.Equal(30, table.Clips);
        foreach (var g in table.Groups)
            for (int m = 0; m < 2; m++)
                Assert.InRange(table[g, m], 1e-3, 1 + 1e-9);
        Assert.NotEqual(table[DescriptorGroup.MfccMean, 0], table[DescriptorGroup.MfccMean, 1]);

        string md = table.ToMarkdown();
        Assert.Contains("| Descriptor | rand-1 | rand-2 |", md);
        Assert.Contains("| MFCC mean |", md);
        Assert.Contains("| Spectral bandwidth skew |", md);
        Assert.Contains("30 clips", md);
        Assert.Equal(12 + 2, md.Split('\n').Count(l => l.StartsWith('|')));

        // The max-energy-patch input: these clips are shorter than one patch, so its window is the first one, the
        // same frames as the mean-pooling path's one zero-padded patch: the same scores.
        var maxPatch = CorrelationAnalysis.Run(models[..1], files, new CorrelationOptions { PrincipalComponents = 6, Input = EmbeddingInput.MaxEnergyPatch });
        foreach (var g in table.Groups) Assert.Equal(table[g, 0], maxPatch[g, 0], 6);
    }

    [Fact]
    public void TooFewClipsForTheDimensionalityIsExplained()
    {
        using var dir = new TempDir();
        var files = CorrelationAnalysis.ResolveClips(WriteClips(dir, 30));
        var models = new[] { new CorrelationModel("m", WriteModel(dir, "m.onnx", 3)) };
        var e = Assert.Throws<CoalaException>(() => CorrelationAnalysis.Run(models, files));
        Assert.Contains("30 clips are too few", e.Message);
        Assert.Contains("1152 + 20", e.Message.Replace("p + q = 1172", "1152 + 20"));
        Assert.Contains("--pca", e.Message);
        Assert.Contains("m.onnx", e.Message);
        // 10 components + 20 MFCCs = 30: still not more clips than p + q.
        Assert.Contains("too few", Assert.Throws<CoalaException>(() => CorrelationAnalysis.Run(models, files, new CorrelationOptions { PrincipalComponents = 10 })).Message);
    }

    [Fact]
    public void BadInputIsACoalaExceptionNamingTheFile()
    {
        using var dir = new TempDir();
        string clips = WriteClips(dir, 3);
        var files = CorrelationAnalysis.ResolveClips(clips);
        string missing = Path.Combine(dir.Path, "nope.onnx");
        Assert.Contains(missing, Assert.Throws<CoalaException>(() => CorrelationAnalysis.Run([new CorrelationModel("x", missing)], files)).Message);
        string model = WriteModel(dir, "m.onnx", 1);
        Assert.Contains("2 times", Assert.Throws<CoalaException>(() =>
            CorrelationAnalysis.Run([new CorrelationModel("x", model), new CorrelationModel("x", model)], files)).Message);
        Assert.Throws<CoalaException>(() => CorrelationAnalysis.Run([], files));

        string noFolder = Path.Combine(dir.Path, "absent");
        Assert.Contains(noFolder, Assert.Throws<CoalaException>(() => CorrelationAnalysis.ResolveClips(noFolder)).Message);
        Directory.CreateDirectory(dir.File("empty/x")[..^2]);
        Assert.Contains("no audio files", Assert.Throws<CoalaException>(() => CorrelationAnalysis.ResolveClips(Path.Combine(dir.Path, "empty"))).Message);
        Assert.Throws<CoalaException>(() => CorrelationAnalysis.ResolveClips(clips, 0));

        // An unreadable clip among enough good ones names that clip.
        string goodClips = WriteClips(dir, 25);
        string junk = dir.File("clips/zz-junk.wav");
        File.WriteAllBytes(junk, new byte[100]);
        var withJunk = CorrelationAnalysis.ResolveClips(goodClips);
        Assert.Contains(junk, Assert.Throws<CoalaException>(() =>
            CorrelationAnalysis.Run([new CorrelationModel("m", model)], withJunk, new CorrelationOptions { PrincipalComponents = 4 })).Message);
    }

    [Fact]
    public void MaxClipsPicksEvenlySpacedClips()
    {
        using var dir = new TempDir();
        var all = CorrelationAnalysis.ResolveClips(WriteClips(dir, 10));
        var some = CorrelationAnalysis.ResolveClips(Path.Combine(dir.Path, "clips"), 5);
        Assert.Equal([all[0], all[2], all[4], all[6], all[8]], some);
        Assert.Equal(all, CorrelationAnalysis.ResolveClips(Path.Combine(dir.Path, "clips"), 100));
    }

    [Fact]
    public void PreparedCorpusGivesItsValidationClips()
    {
        using var dir = new TempDir();
        string clips = WriteClips(dir, 24);
        // Tags from the folder names (alpha, beta, gamma): every clip is taggable.
        string outDir = Path.Combine(dir.Path, "corpus");
        var settings = FrontendSettings.Default;
        new CorpusPreparer(settings, AudioPatchSource.Create(settings), AudioPatchSource.ExtractorId)
            .Run(new PrepareOptions { Folder = clips, OutputDirectory = outDir, MinCount = 2, Threads = 1 });
        IReadOnlyList<string> expected;
        using (var corpus = PreparedCorpus.Open(outDir)) expected = corpus.Validation.Paths;
        Assert.NotEmpty(expected);
        Assert.Equal(expected, CorrelationAnalysis.ResolveClips(outDir));
        Assert.All(expected, p => Assert.StartsWith(clips, p));
    }
}
