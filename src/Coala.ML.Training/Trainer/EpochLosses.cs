namespace Coala.ML.Training;

/// <summary>One line of the training log: an epoch's mean losses on one split.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Split">"train" or "validation".</param>
/// <param name="Objective">the weighted loss that is minimised (AE-C: 5 KL + 5 BCE + 10 contrastive).</param>
/// <param name="AudioKl">generalised KL of the audio reconstruction (AE-C; else NaN).</param>
/// <param name="TagBce">BCE of the tag reconstruction (AE-C) or prediction (CNN); else NaN.</param>
/// <param name="Contrastive">NT-Xent between the heads' outputs (AE-C, E-C; else NaN).</param>
/// <param name="PatchesPerSecond">throughput of the split's pass (training: forward, backward and update).</param>
/// <param name="WallSeconds">duration of the split's pass.</param>
public sealed record EpochLosses(int Epoch, string Split, double Objective, double AudioKl, double TagBce, double Contrastive,
    double PatchesPerSecond, double WallSeconds);
