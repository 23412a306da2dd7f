namespace Coala.ML.Evaluation;

/// <summary>
/// Parses <c>--task</c> values, <c>[NAME=]KIND:ARGS</c>, into loaded tasks:
/// <c>fsdd-digit:DIR</c>, <c>fsdd-speaker:DIR</c>, <c>folders:TRAIN_DIR,TEST_DIR</c>, <c>kfold:DIR</c>,
/// <c>us8k:DIR</c>, <c>gtzan:DIR</c>, <c>nsynth:DIR</c>, <c>drums:DIR</c>. NAME (optional) is the column heading.
/// </summary>
public static class TaskSpec
{
    public const string Syntax = "[NAME=]KIND:ARGS with KIND:ARGS one of fsdd-digit:DIR, fsdd-speaker:DIR, folders:TRAIN_DIR,TEST_DIR, kfold:DIR, us8k:DIR, gtzan:DIR, nsynth:DIR, drums:DIR";

    public static readonly string[] Kinds = ["fsdd-digit", "fsdd-speaker", "folders", "kfold", "us8k", "gtzan", "nsynth", "drums"];

    /// <summary>Loads the task a spec names.</summary>
    /// <param name="spec">the --task value.</param>
    /// <param name="folds">k for kfold and for GTZAN without split lists.</param>
    /// <param name="seed">seed of k-fold assignment and subsets.</param>
    /// <param name="maxPerClass">cap on training clips per class (seeded subset); for NSynth the balanced subset size.</param>
    /// <exception cref="CoalaException">unknown syntax or kind, or the dataset cannot be loaded.</exception>
    public static EvaluationTask Load(string spec, int folds = 5, int seed = 0, int? maxPerClass = null)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new CoalaException($"empty --task; expected {Syntax}");
        string? name = null;
        string rest = spec.Trim();
        int colon = rest.IndexOf(':');
        int eq = rest.IndexOf('=');
        if (eq > 0 && (colon < 0 || eq < colon))
        {
            name = rest[..eq].Trim();
            rest = rest[(eq + 1)..];
            colon = rest.IndexOf(':');
        }
        if (colon <= 0) throw new CoalaException($"task '{spec}' has no KIND:ARGS; expected {Syntax}");
        string kind = rest[..colon].Trim().ToLowerInvariant(), args = rest[(colon + 1)..].Trim();
        if (!Kinds.Contains(kind)) throw new CoalaException($"task '{spec}': unknown kind '{kind}'; expected {Syntax}");
        if (args.Length == 0) throw new CoalaException($"task '{spec}': no folder given; expected {Syntax}");

        EvaluationTask task = kind switch
        {
            "fsdd-digit" => EvaluationDatasets.Fsdd(name ?? "FSDD digit", args, FsddTarget.Digit),
            "fsdd-speaker" => EvaluationDatasets.Fsdd(name ?? "FSDD speaker", args, FsddTarget.Speaker),
            "kfold" => EvaluationDatasets.KFold(name ?? FolderName(args), args, folds, seed),
            "us8k" => EvaluationDatasets.UrbanSound8K(name ?? "US8K", args),
            "gtzan" => EvaluationDatasets.Gtzan(name ?? "GTZAN", args, folds, seed),
            "nsynth" => EvaluationDatasets.NSynth(name ?? "NSynth", args, maxPerClass ?? EvaluationDatasets.NSynthDefaultPerClass, seed),
            "drums" => EvaluationDatasets.DrumMachines(name ?? "drum type", args),
            "folders" => LoadFolders(spec, name, args),
            _ => throw new CoalaException($"task '{spec}': unknown kind '{kind}'"),
        };
        if (maxPerClass is int cap && kind != "nsynth")
        {
            var capped = task.Folds.Select(f => f with { Train = EvaluationDatasets.CapPerClass(f.Train, cap, seed) }).ToList();
            task = task with { Folds = capped, Notes = task.Notes.Append($"training capped at {cap} clips per class").ToList() };
        }
        return task;
    }

    private static EvaluationTask LoadFolders(string spec, string? name, string args)
    {
        var parts = args.Split(',');
        if (parts.Length != 2 || parts.Any(p => p.Trim().Length == 0))
            throw new CoalaException($"task '{spec}': folders needs TRAIN_DIR,TEST_DIR");
        string train = parts[0].Trim(), test = parts[1].Trim();
        return EvaluationDatasets.TrainTestFolders(name ?? $"{FolderName(train)}→{FolderName(test)}", train, test);
    }

    private static string FolderName(string dir) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
}
