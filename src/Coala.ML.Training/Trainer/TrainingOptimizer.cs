namespace Coala.ML.Training;

/// <summary>The optimizer of a run (<see cref="TrainingOptions.Optimizer"/>).</summary>
public enum TrainingOptimizer
{
    /// <summary>SGD without momentum, the reference's.</summary>
    Sgd,
    /// <summary>AdamW (betas 0.9/0.999, eps 1e-8) with <see cref="TrainingOptions.WeightDecay"/>.</summary>
    AdamW,
}
