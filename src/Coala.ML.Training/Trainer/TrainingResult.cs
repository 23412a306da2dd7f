namespace Coala.ML.Training;

/// <summary>What a finished (or stopped) <see cref="CoalaTrainer.Run"/> reports.</summary>
/// <param name="EpochsCompleted">Epochs complete, counted from the start of the run (resumed runs included).</param>
/// <param name="History">The losses of every completed epoch, training and validation.</param>
/// <param name="CheckpointPath">The run's checkpoint: export it with <see cref="CheckpointExporter.Export"/>.</param>
/// <param name="Device">Where it trained: cpu, cuda or cuda:N.</param>
public sealed record TrainingResult(int EpochsCompleted, IReadOnlyList<EpochLosses> History, string CheckpointPath, string Device)
{
    /// <summary>Optimizer steps (batches) taken from the start of the run to the last completed epoch.</summary>
    public long Steps { get; init; }
}
