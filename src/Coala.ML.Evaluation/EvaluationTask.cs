namespace Coala.ML.Evaluation;

/// <summary>
/// A downstream classification task: its folds and class names (sorted). The accuracy of one repeat is the mean
/// of its folds' test accuracies. <see cref="Notes"/> says what the loader dropped or chose (shown in the report).
/// </summary>
public sealed record EvaluationTask(string Name, IReadOnlyList<string> Classes, IReadOnlyList<EvaluationFold> Folds, IReadOnlyList<string> Notes)
{
    /// <summary>Every distinct file of the task.</summary>
    public IEnumerable<string> AllPaths => Folds.SelectMany(f => f.Train.Concat(f.Test)).Select(c => c.Path).Distinct();

    /// <summary>Builds a task, checking every fold has training and test clips and that test classes were trained on.</summary>
    public static EvaluationTask Create(string name, IReadOnlyList<EvaluationFold> folds, string source, IEnumerable<string>? notes = null)
    {
        var noteList = notes?.ToList() ?? new List<string>();
        if (folds.Count == 0) throw new CoalaException($"task {name}: no folds", source);
        var checkedFolds = new List<EvaluationFold>();
        foreach (var f in folds)
        {
            if (f.Train.Count == 0) throw new CoalaException($"task {name}, fold {f.Name}: no training clips", source);
            var trained = f.Train.Select(c => c.Label).ToHashSet(StringComparer.Ordinal);
            var test = f.Test.Where(c => trained.Contains(c.Label)).ToList();
            if (test.Count < f.Test.Count)
                noteList.Add($"fold {f.Name}: {f.Test.Count - test.Count} test clip(s) of classes absent from training dropped");
            if (test.Count == 0) throw new CoalaException($"task {name}, fold {f.Name}: no test clips", source);
            if (trained.Count < 2) throw new CoalaException($"task {name}, fold {f.Name}: training holds only one class ({trained.First()}); need at least two", source);
            checkedFolds.Add(f with { Test = test });
        }
        var classes = checkedFolds.SelectMany(f => f.Train).Select(c => c.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        return new EvaluationTask(name, classes, checkedFolds, noteList);
    }
}
