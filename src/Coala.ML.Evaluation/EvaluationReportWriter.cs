using System.Globalization;
using System.Text;
using Coala.ML.IO;

namespace Coala.ML.Evaluation;

/// <summary>
/// Writes an <see cref="EvaluationReport"/>: <c>evaluation.md</c> (Table 1 like the paper's: rows feature sets,
/// columns tasks, MLP mean ± std accuracy; Table 2: ML.NET accuracy; the protocol, datasets and skipped clips)
/// and <c>evaluation.csv</c> (one row per feature, task and repeat).
/// </summary>
public static class EvaluationReportWriter
{
    public const string MarkdownFile = "evaluation.md", CsvFile = "evaluation.csv";

    public static void Write(EvaluationReport report, string dir)
    {
        WriteAtomic(Path.Combine(dir, MarkdownFile), ToMarkdown(report, dir));
        WriteAtomic(Path.Combine(dir, CsvFile), ToCsv(report));
    }

    /// <summary>The tables only (what the CLI prints).</summary>
    public static string Tables(EvaluationReport report)
    {
        var sb = new StringBuilder();
        var tasks = report.Tasks.Select(t => t.Task.Name).ToList();
        sb.AppendLine($"Table 1. Test accuracy (%) of an MLP on each feature set: mean ± std over {report.Options.Repeats} seed(s).");
        sb.AppendLine();
        Table(sb, report, tasks, c => $"{Evaluator.Percent(c.Mean)} ± {Evaluator.Percent(c.Std)}");
        if (report.Options.MlNet)
        {
            sb.AppendLine();
            sb.AppendLine($"Table 2. Test accuracy (%) of {MlNetClassifier.Description}.");
            sb.AppendLine();
            Table(sb, report, tasks, c => c.MlNetAccuracy is double a ? Evaluator.Percent(a) : "–");
        }
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, EvaluationReport report, List<string> tasks, Func<CellResult, string> cell)
    {
        sb.AppendLine("| Features | Dim | " + string.Join(" | ", tasks.Select(Escape)) + " |");
        sb.AppendLine("|---|---:|" + string.Concat(tasks.Select(_ => "---:|")));
        for (int i = 0; i < report.Features.Count; i++)
        {
            string f = report.Features[i];
            sb.AppendLine($"| {Escape(f)} | {report.Dimensions[i]} | " + string.Join(" | ", tasks.Select(t => cell(report.Cell(f, t)))) + " |");
        }
    }

    public static string ToMarkdown(EvaluationReport report, string? dir = null)
    {
        var o = report.Options;
        var sb = new StringBuilder();
        sb.AppendLine("# coala evaluate");
        sb.AppendLine();
        sb.Append(Tables(report));
        sb.AppendLine();
        sb.AppendLine("## Protocol");
        sb.AppendLine();
        sb.AppendLine("- One feature vector per clip; each fold's features standardised with the mean and std of its training split only.");
        sb.AppendLine($"- {o.Mlp.Describe()}; TorchSharp on the CPU; {o.Repeats} repeat(s) with seeds {o.Seed} + 1000·repeat + fold. " +
                      "With several folds a repeat's accuracy is the mean over folds.");
        if (o.MlNet) sb.AppendLine($"- {MlNetClassifier.Description}, trained once per fold (deterministic).");
        sb.AppendLine("- COALA models: mean of the clip's non-overlapping 96-frame patch embeddings. MFCC: 20 MFCCs + deltas + delta-deltas " +
                      "(librosa-like: 22000 Hz, 1024/512 Hann frames, 128 Slaney mel bands, dB, DCT-II ortho, delta width 9), mean and std over time. " +
                      "Random encoder: the COALA encoder architecture with seeded random weights (untrained control).");
        sb.AppendLine("- A clip that any feature extractor cannot read is skipped for all feature sets; confusion matrices pool all repeats and folds.");
        sb.AppendLine();
        sb.AppendLine("## Tasks");
        sb.AppendLine();
        sb.AppendLine("| Task | Classes | Folds | Train clips | Test clips | Clips used | Skipped | Notes |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in report.Tasks)
        {
            var t = s.Task;
            sb.AppendLine($"| {Escape(t.Name)} | {t.Classes.Count} | {t.Folds.Count} | {t.Folds.Sum(f => f.Train.Count)} | {t.Folds.Sum(f => f.Test.Count)} | " +
                          $"{s.ClipsUsed} | {s.Skipped.Count} | {Escape(string.Join("; ", t.Notes))} |");
        }
        sb.AppendLine();
        sb.AppendLine("Train/test clip counts are summed over folds.");
        sb.AppendLine();
        sb.AppendLine("## Timing");
        sb.AppendLine();
        for (int i = 0; i < report.Features.Count; i++)
            sb.AppendLine(FormattableString.Invariant($"- {report.Features[i]}: feature extraction {report.ExtractionSeconds[i]:F1} s; classifiers ") +
                          string.Join(", ", report.Cells.Where(c => c.Feature == report.Features[i])
                              .Select(c => FormattableString.Invariant($"{c.Task} {c.Seconds:F1} s (MLP {c.MeanEpochs:F0} epochs on average)"))));
        sb.AppendLine(FormattableString.Invariant($"- Total: {report.TotalSeconds:F1} s on {Environment.ProcessorCount} logical CPU(s), {o.Threads} extraction thread(s)."));

        var pngs = report.Cells.Where(c => c.ConfusionPng is not null).ToList();
        if (pngs.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Confusion matrices");
            sb.AppendLine();
            foreach (var c in pngs)
            {
                string rel = dir is null ? c.ConfusionPng! : Path.GetRelativePath(dir, c.ConfusionPng!).Replace('\\', '/');
                sb.AppendLine($"- {Escape(c.Task)} / {Escape(c.Feature)}: [{rel}]({rel})");
            }
        }
        var skipped = report.Tasks.Where(s => s.Skipped.Count > 0).ToList();
        if (skipped.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Skipped clips");
            sb.AppendLine();
            foreach (var s in skipped)
                foreach (var m in s.Skipped.Take(50)) sb.AppendLine($"- {Escape(s.Task.Name)}: {Escape(m)}");
        }
        return sb.ToString();
    }

    public static string ToCsv(EvaluationReport report)
    {
        var sb = new StringBuilder("feature,task,repeat,mlp_accuracy,mlnet_accuracy\n");
        foreach (var c in report.Cells)
            for (int r = 0; r < c.Accuracies.Length; r++)
                sb.AppendLine(string.Join(",", Quote(c.Feature), Quote(c.Task), r.ToString(CultureInfo.InvariantCulture),
                    c.Accuracies[r].ToString("R", CultureInfo.InvariantCulture),
                    c.MlNetAccuracy?.ToString("R", CultureInfo.InvariantCulture) ?? ""));
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static void WriteAtomic(string path, string text) => AtomicFile.WriteAllText(path, text, "the report");
}
