namespace Coala.ML.Evaluation;

/// <summary>One train/test split of a task (a task has one, or k for cross-validation).</summary>
public sealed record EvaluationFold(string Name, IReadOnlyList<LabelledClip> Train, IReadOnlyList<LabelledClip> Test);
