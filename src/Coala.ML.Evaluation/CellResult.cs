namespace Coala.ML.Evaluation;

/// <summary>One (feature set, task) cell of the results.</summary>
public sealed record CellResult(string Feature, string Task, double[] Accuracies, double? MlNetAccuracy, int[,] Confusion,
    double MeanEpochs, double Seconds, string? ConfusionPng)
{
    public double Mean => Accuracies.Average();
    /// <summary>Sample standard deviation over repeats (0 for one repeat).</summary>
    public double Std => Accuracies.Length < 2 ? 0 : Math.Sqrt(Accuracies.Sum(a => (a - Mean) * (a - Mean)) / (Accuracies.Length - 1));
}
