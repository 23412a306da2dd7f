namespace Coala.ML.Evaluation;

/// <summary>Everything <c>coala evaluate</c> measured.</summary>
public sealed record EvaluationReport(IReadOnlyList<string> Features, IReadOnlyList<int> Dimensions, IReadOnlyList<TaskSummary> Tasks,
    IReadOnlyList<CellResult> Cells, EvaluationOptions Options, IReadOnlyList<double> ExtractionSeconds, double TotalSeconds)
{
    public CellResult Cell(string feature, string task) => Cells.First(c => c.Feature == feature && c.Task == task);
}
