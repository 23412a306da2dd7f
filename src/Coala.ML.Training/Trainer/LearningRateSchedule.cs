namespace Coala.ML.Training;

/// <summary>How the learning rate moves over a run (<see cref="TrainingOptions.LearningRateSchedule"/>).</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout, the paper's.</summary>
    Constant,
    /// <summary>From the rate down to 0 along a half cosine over the run's epochs.</summary>
    Cosine,
}
