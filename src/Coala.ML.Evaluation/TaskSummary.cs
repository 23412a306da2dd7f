namespace Coala.ML.Evaluation;

/// <summary>Per task: the clips used and those skipped because some feature extractor could not read them.</summary>
public sealed record TaskSummary(EvaluationTask Task, int ClipsUsed, IReadOnlyList<string> Skipped);
