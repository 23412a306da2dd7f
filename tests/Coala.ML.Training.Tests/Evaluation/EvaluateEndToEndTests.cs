using Coala.ML.Features;
using Coala.ML.Evaluation;
using Coala.ML.Training.Tests.Data;

namespace Coala.ML.Training.Tests.Evaluation;

public class EvaluateEndToEndTests
{
    [Fact]
    public void TwoClassToyTaskWritesTablesAndConfusionPngsAndCountsABrokenFile()
    {
        using var tmp = new TempDir();
        // 2 classes x (8 train + 4 test): low tones vs noise, plus one broken file in training.
        for (int i = 0; i < 12; i++)
        {
            string split = i < 8 ? "train" : "test";
            EvalData.Wav(Path.Combine(tmp.Path, split, "tone", $"t{i}.wav"), EvalData.Tone(300 + 20 * i, 0.4, amp: 0.2 + 0.02 * i));
            EvalData.Wav(Path.Combine(tmp.Path, split, "noise", $"n{i}.wav"), EvalData.Noise(i, 0.4));
        }
        File.WriteAllText(Path.Combine(tmp.Path, "train", "noise", "broken.wav"), "RIFF....WAVEjunk");

        var task = TaskSpec.Load($"toy=folders:{tmp.Path}/train,{tmp.Path}/test");
        string outDir = Path.Combine(tmp.Path, "out");
        var scaler = CoalaFeatures.FitScaler(task.Folds[0].Train.Select(c => c.Path).ToList(), FrontendSettings.Default);
        using var mfcc = new MfccFeatures();
        Directory.CreateDirectory(outDir);
        using var random = CoalaFeatures.RandomEncoder("random encoder", Path.Combine(outDir, "random-encoder.onnx"), 0, scaler);
        var options = new EvaluationOptions
        {
            Repeats = 2, Threads = 2, OutputDirectory = outDir,
            Mlp = new MlpOptions { MaxEpochs = 15, Patience = 5 },
        };
        var progress = new StringWriter();
        var evaluator = new Evaluator(options, progress);
        var report = evaluator.Run([task], [mfcc, random]);

        var summary = Assert.Single(report.Tasks);
        Assert.Equal(24, summary.ClipsUsed);
        var skipped = Assert.Single(summary.Skipped);
        Assert.Contains("broken.wav", skipped);
        var cell = report.Cell("MFCC", "toy");
        Assert.Equal(2, cell.Accuracies.Length);
        Assert.True(cell.Mean >= 0.99, $"MFCC toy accuracy {cell.Mean}");
        Assert.True(cell.MlNetAccuracy >= 0.99);
        Assert.Equal(2 * 8, cell.Confusion.Cast<int>().Sum()); // 2 repeats x 8 test clips
        Assert.InRange(report.Cell("random encoder", "toy").Mean, 0, 1);

        string md = File.ReadAllText(Path.Combine(outDir, EvaluationReportWriter.MarkdownFile));
        Assert.Contains("| Features | Dim | toy |", md);
        Assert.Contains("| MFCC | 120 | 100.0 ± 0.0 |", md);
        Assert.Contains("| random encoder | 1152 |", md);
        Assert.Contains("Table 2.", md);
        Assert.Contains("broken.wav", md);
        Assert.Matches(@"\| toy \| 2 \| 1 \| 17 \| 8 \| 24 \| 1 \|", md);
        var csv = File.ReadAllLines(Path.Combine(outDir, EvaluationReportWriter.CsvFile));
        Assert.Equal(1 + 2 * 2, csv.Length);
        foreach (var png in new[] { "toy__mfcc.png", "toy__random-encoder.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(outDir, "confusion", png));
            Assert.True(bytes.Length > 1000);
            Assert.Equal(0x89, bytes[0]);
            Assert.Equal((byte)'P', bytes[1]);
        }

        // Features are cached per (extractor, file): a second run extracts nothing.
        int before = evaluator.Cache.Extractions;
        evaluator.Run([task], [mfcc, random]);
        Assert.Equal(before, evaluator.Cache.Extractions);
        Assert.Equal(2 * 25, before);
    }

    [Fact]
    public void EvaluatorRejectsDuplicateNamesAndEmptyInput()
    {
        using var tmp = new TempDir();
        EvalData.ClassFolders(tmp.Path, ["a", "b"], 2);
        var task = TaskSpec.Load($"folders:{tmp.Path},{tmp.Path}");
        using var m1 = new MfccFeatures();
        using var m2 = new MfccFeatures();
        var ev = new Evaluator(new EvaluationOptions { Repeats = 1 });
        Assert.Contains("names must differ", Assert.Throws<CoalaException>(() => ev.Run([task], [m1, m2])).Message);
        Assert.Throws<CoalaException>(() => ev.Run([task], []));
        Assert.Throws<CoalaException>(() => ev.Run([], [m1]));
    }
}
