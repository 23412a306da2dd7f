using System.CommandLine;
using System.Diagnostics;
using Coala.ML.Features;
using Coala.ML.Evaluation;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// <c>coala evaluate</c>: the paper's downstream protocol (MLP on standardised clip features, repeated with seeds;
/// plus ML.NET LbfgsMaximumEntropy) for COALA models, the MFCC baseline and a random encoder, on one or more tasks.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "COALA encoder to evaluate, NAME=PATH.onnx (repeatable; NAME is the table row, e.g. AE-C=aec.onnx).", AllowMultipleArgumentsPerToken = false };
        var mfcc = new Option<bool>("--mfcc") { Description = "Add the MFCC baseline (20 MFCCs + deltas + delta-deltas, mean and std over time: 120 values)." };
        var random = new Option<bool>("--random-encoder") { Description = "Add a randomly initialised COALA encoder (same architecture; the scaler of the first --model, else fitted on the first task's training clips)." };
        var tasks = new Option<string[]>("--task") { Description = "Task, [NAME=]KIND:ARGS (repeatable): fsdd-digit:DIR, fsdd-speaker:DIR, folders:TRAIN_DIR,TEST_DIR, kfold:DIR, us8k:DIR, gtzan:DIR, nsynth:DIR, drums:DIR (drum type on unseen machines, scripts/eval-data/drum-machines.sh).", Required = true, AllowMultipleArgumentsPerToken = false };
        var repeats = new Option<int>("--repeats") { Description = "MLP trainings per task and feature set, each with its own seed.", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--output", "--out", "-o") { Description = "Output folder: evaluation.md, evaluation.csv, confusion/*.png, random-encoder.onnx.", DefaultValueFactory = _ => "evaluation" };
        var maxPerClass = new Option<int?>("--max-per-class") { Description = "At most N training clips per class (seeded subset; for nsynth the balanced subset size, default 500)." };
        var folds = new Option<int>("--folds") { Description = "k for kfold:DIR and for GTZAN without split lists.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Base seed (folds, subsets, MLP repeats, random encoder weights).", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum MLP epochs.", DefaultValueFactory = _ => 100 };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience in epochs on a held-out 10% of training (0: no early stopping).", DefaultValueFactory = _ => 10 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate of the MLP.", DefaultValueFactory = _ => 1e-3 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout after the MLP's hidden layer.", DefaultValueFactory = _ => 0.5 };
        var threads = new Option<int?>("--threads") { Description = "Clips whose features are extracted at once, and libtorch threads (default: processor count)." };
        var noMlNet = new Option<bool>("--no-mlnet") { Description = "Skip the ML.NET LbfgsMaximumEntropy table." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Do not write confusion-matrix PNGs." };

        var c = new Command("evaluate",
            "Evaluate clip features on downstream classification as in the COALA paper: an MLP (256 hidden units) on " +
            "train-standardised features, repeated with seeds (mean ± std accuracy), plus ML.NET LbfgsMaximumEntropy. " +
            "Example: coala evaluate --model AE-C=aec.onnx --mfcc --random-encoder --task fsdd-digit:fsdd/recordings --task fsdd-speaker:fsdd/recordings --repeats 10");
        foreach (var o in new Option[] { models, mfcc, random, tasks, repeats, output, maxPerClass, folds, seed, epochs, patience, lr, dropout, threads, noMlNet, noPlots })
            c.Options.Add(o);
        c.SetAction(r =>
        {
            return Run(r.GetValue(models) ?? [], r.GetValue(mfcc), r.GetValue(random), r.GetValue(tasks) ?? [], r.GetValue(output)!,
                new EvaluationOptions
                {
                    Repeats = r.GetValue(repeats),
                    Seed = r.GetValue(seed),
                    Threads = r.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount),
                    MlNet = !r.GetValue(noMlNet),
                    Plots = !r.GetValue(noPlots),
                    Mlp = new MlpOptions { MaxEpochs = r.GetValue(epochs), Patience = r.GetValue(patience), LearningRate = r.GetValue(lr), Dropout = r.GetValue(dropout) },
                }, r.GetValue(maxPerClass), r.GetValue(folds));
        });
        return c;
    }

    /// <summary>Runs the evaluation; returns 0, or 2 when some clips were skipped. Throws <see cref="CoalaException"/> on bad input.</summary>
    public static int Run(string[] modelSpecs, bool mfcc, bool randomEncoder, string[] taskSpecs, string outDir,
        EvaluationOptions options, int? maxPerClass, int folds, TextWriter? stdout = null, TextWriter? progress = null)
    {
        stdout ??= Console.Out;
        progress ??= Console.Error;
        var sw = Stopwatch.StartNew();
        options = options with { OutputDirectory = outDir };
        options.Validate();
        if (taskSpecs.Length == 0) throw new CoalaException("no --task given");
        if (modelSpecs.Length == 0 && !mfcc && !randomEncoder)
            throw new CoalaException("no feature set: give --model NAME=PATH, --mfcc and/or --random-encoder");

        var tasks = taskSpecs.Select(t => TaskSpec.Load(t, folds, options.Seed, maxPerClass)).ToList();
        var features = new List<IFeatureExtractor>();
        try
        {
            foreach (var spec in modelSpecs)
            {
                int eq = spec.IndexOf('=');
                if (eq <= 0 || eq == spec.Length - 1) throw new CoalaException($"--model '{spec}' is not NAME=PATH.onnx");
                features.Add(new CoalaFeatures(spec[..eq].Trim(), spec[(eq + 1)..].Trim()));
            }
            if (mfcc) features.Add(new MfccFeatures());
            if (randomEncoder)
            {
                var coala = features.OfType<CoalaFeatures>().FirstOrDefault();
                MinMaxScaler scaler;
                if (coala is not null)
                {
                    scaler = coala.Model.Scaler;
                    progress.WriteLine($"random encoder: scaler of {coala.Name} ({coala.ModelPath})");
                }
                else
                {
                    progress.WriteLine($"random encoder: fitting the scaler on {tasks[0].Name}'s training clips");
                    scaler = CoalaFeatures.FitScaler(tasks[0].Folds[0].Train.Select(c => c.Path).ToList(), FrontendSettings.Default);
                }
                Directory.CreateDirectory(outDir);
                features.Add(CoalaFeatures.RandomEncoder("random encoder", Path.Combine(outDir, "random-encoder.onnx"), options.Seed, scaler,
                    coala?.Model.Frontend));
            }
            if (options.Threads > 0) TorchSharp.torch.set_num_threads(options.Threads);
            var report = new Evaluator(options, progress).Run(tasks, features);
            stdout.WriteLine();
            stdout.Write(EvaluationReportWriter.Tables(report));
            stdout.WriteLine();
            int skipped = report.Tasks.Sum(t => t.Skipped.Count);
            if (skipped > 0) stdout.WriteLine($"{skipped} clip(s) skipped as unreadable (listed in {Path.Combine(outDir, EvaluationReportWriter.MarkdownFile)})");
            stdout.WriteLine($"wrote {Path.Combine(outDir, EvaluationReportWriter.MarkdownFile)} in {sw.Elapsed.TotalSeconds:F0} s");
            return skipped > 0 ? 2 : 0;
        }
        finally
        {
            foreach (var f in features) f.Dispose();
        }
    }
}
