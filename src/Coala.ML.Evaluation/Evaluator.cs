using System.Diagnostics;
using System.Globalization;

namespace Coala.ML.Evaluation;

/// <summary>
/// The paper's downstream protocol: features per clip, standardised with the training split's mean and std,
/// an MLP (<see cref="MlpOptions"/>) trained <see cref="EvaluationOptions.Repeats"/> times with different seeds,
/// mean ± std test accuracy; plus ML.NET's LbfgsMaximumEntropy on the same features. A clip that any extractor
/// cannot read is skipped for every feature set (so all rows see the same clips) and counted in the report.
/// </summary>
public sealed class Evaluator
{
    private readonly EvaluationOptions _options;
    private readonly TextWriter _progress;

    public Evaluator(EvaluationOptions options, TextWriter? progress = null)
    {
        options.Validate();
        _options = options;
        _progress = progress ?? TextWriter.Null;
    }

    public FeatureCache Cache { get; } = new();

    public EvaluationReport Run(IReadOnlyList<EvaluationTask> tasks, IReadOnlyList<IFeatureExtractor> features)
    {
        if (tasks.Count == 0) throw new CoalaException("no tasks to evaluate");
        if (features.Count == 0) throw new CoalaException("no feature sets to evaluate (give --model, --mfcc or --random-encoder)");
        if (features.Select(f => f.Name).Distinct().Count() != features.Count)
            throw new CoalaException($"feature set names must differ: {string.Join(", ", features.Select(f => f.Name))}");
        if (tasks.Select(t => t.Name).Distinct().Count() != tasks.Count)
            throw new CoalaException($"task names must differ: {string.Join(", ", tasks.Select(t => t.Name))} (name them NAME=KIND:ARGS)");
        var total = Stopwatch.StartNew();
        string? plotDir = null;
        if (_options.OutputDirectory is { } outDir)
        {
            try
            {
                Directory.CreateDirectory(outDir);
                if (_options.Plots) Directory.CreateDirectory(plotDir = Path.Combine(outDir, "confusion"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new CoalaException($"cannot create the output folder: {e.Message}", outDir, e);
            }
        }

        var allPaths = tasks.SelectMany(t => t.AllPaths).Distinct().ToList();
        foreach (var f in features) Cache.Extract(f, allPaths, _options.Threads, _progress);

        var summaries = new List<TaskSummary>();
        var cells = new List<CellResult>();
        foreach (var task in tasks)
        {
            var skipped = new List<string>();
            var usable = new HashSet<string>();
            foreach (var p in task.AllPaths)
            {
                var failure = features.Select(f => Cache.Failure(f, p)).FirstOrDefault(m => m is not null);
                if (failure is null) usable.Add(p);
                else skipped.Add(failure.Contains(p, StringComparison.Ordinal) ? failure : $"{p}: {failure}");
            }
            summaries.Add(new TaskSummary(task, usable.Count, skipped));
            if (skipped.Count > 0) _progress.WriteLine($"{task.Name}: {skipped.Count} clip(s) skipped (unreadable)");
            foreach (var f in features)
            {
                var cell = Evaluate(task, f, usable, plotDir);
                cells.Add(cell);
                _progress.WriteLine($"{task.Name} / {f.Name}: MLP {100 * cell.Mean:F1} ± {100 * cell.Std:F1} %" +
                                    (cell.MlNetAccuracy is double a ? $", ML.NET {100 * a:F1} %" : "") + $" ({cell.Seconds:F0} s)");
            }
        }
        var report = new EvaluationReport(features.Select(f => f.Name).ToList(), features.Select(f => f.Dimension).ToList(), summaries, cells,
            _options, features.Select(Cache.SecondsFor).ToList(), total.Elapsed.TotalSeconds);
        if (_options.OutputDirectory is { } dir) EvaluationReportWriter.Write(report, dir);
        return report;
    }

    private CellResult Evaluate(EvaluationTask task, IFeatureExtractor feature, HashSet<string> usable, string? plotDir)
    {
        var sw = Stopwatch.StartNew();
        var classIndex = task.Classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        int k = task.Classes.Count;
        var confusion = new int[k, k];
        var accuracies = new double[_options.Repeats];
        double mlnetSum = 0, epochs = 0;
        int mlnetFolds = 0, runs = 0;
        for (int fi = 0; fi < task.Folds.Count; fi++)
        {
            var fold = task.Folds[fi];
            var train = fold.Train.Where(c => usable.Contains(c.Path)).ToList();
            var test = fold.Test.Where(c => usable.Contains(c.Path) && classIndex.ContainsKey(c.Label)).ToList();
            if (train.Select(c => c.Label).Distinct().Count() < 2 || test.Count == 0)
                throw new CoalaException($"task {task.Name}, fold {fold.Name}: after skipping unreadable clips {train.Count} training clip(s) / {test.Count} test clip(s) remain; cannot evaluate");
            var std = FeatureStandardizer.Fit(train.Select(c => Get(feature, c.Path)).ToList());
            var xTrain = train.Select(c => std.Transform(Get(feature, c.Path))).ToArray();
            var xTest = test.Select(c => std.Transform(Get(feature, c.Path))).ToArray();
            var yTrain = train.Select(c => classIndex[c.Label]).ToArray();
            var yTest = test.Select(c => classIndex[c.Label]).ToArray();

            for (int r = 0; r < _options.Repeats; r++)
            {
                int seed = unchecked(_options.Seed + 1000 * r + fi);
                var result = MlpClassifier.TrainAndPredict(xTrain, yTrain, xTest, k, _options.Mlp, seed);
                accuracies[r] += Accuracy(result.Predictions, yTest) / task.Folds.Count;
                for (int i = 0; i < yTest.Length; i++) confusion[yTest[i], result.Predictions[i]]++;
                epochs += result.EpochsTrained;
                runs++;
            }
            if (_options.MlNet)
            {
                var predicted = MlNetClassifier.TrainAndPredict(xTrain, yTrain, xTest, _options.Seed, _options.Threads);
                mlnetSum += Accuracy(predicted, yTest);
                mlnetFolds++;
            }
        }
        string? png = null;
        if (plotDir is not null)
        {
            png = Path.Combine(plotDir, $"{Slug(task.Name)}__{Slug(feature.Name)}.png");
            try
            {
                ConfusionPlot.Save(png, confusion, task.Classes,
                    $"{task.Name}: {feature.Name} (MLP, {_options.Repeats} repeat(s){(task.Folds.Count > 1 ? $" x {task.Folds.Count} folds" : "")})");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CoalaException($"cannot write the confusion matrix: {e.Message}", png, e);
            }
        }
        return new CellResult(feature.Name, task.Name, accuracies, _options.MlNet ? mlnetSum / mlnetFolds : null, confusion,
            epochs / runs, sw.Elapsed.TotalSeconds, png);
    }

    private float[] Get(IFeatureExtractor f, string path) =>
        Cache.TryGet(f, path, out var v) ? v : throw new InvalidOperationException($"no cached features for {path}");

    internal static double Accuracy(int[] predicted, int[] truth)
    {
        if (predicted.Length != truth.Length) throw new CoalaException($"{predicted.Length} predictions for {truth.Length} test clips");
        int ok = 0;
        for (int i = 0; i < truth.Length; i++) if (predicted[i] == truth[i]) ok++;
        return truth.Length == 0 ? 0 : (double)ok / truth.Length;
    }

    /// <summary>A file-name-safe form of a table heading.</summary>
    internal static string Slug(string s)
    {
        var chars = s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '-').ToArray();
        var slug = string.Join("-", new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "x" : slug;
    }

    internal static string Percent(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
}
