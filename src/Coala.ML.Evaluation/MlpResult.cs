namespace Coala.ML.Evaluation;

/// <summary>What one MLP run gives.</summary>
public sealed record MlpResult(int[] Predictions, int EpochsTrained, int BestEpoch);
