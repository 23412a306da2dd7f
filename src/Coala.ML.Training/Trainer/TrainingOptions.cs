using TorchSharp;
using Coala.ML.Training.Networks;

namespace Coala.ML.Training;

/// <summary>
/// What the caller asks of a training run. Defaults are the paper's / reference's (SGD lr 0.005, batch 128,
/// dropout 0.25, 200 epochs; AE-C loss weights 5 / 5 / 10, contrastive temperature 0.1).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The variant; <c>null</c> means AE-C for a new run and the checkpoint's variant on resume.</summary>
    public CoalaVariant? Variant { get; init; }
    /// <summary>Total epochs of the run (on resume, training continues up to this epoch).</summary>
    public int Epochs { get; init; } = 200;
    /// <summary>Patches per optimizer step (the paper: 128); at least 2, as BatchNorm needs.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>The learning rate (the peak rate with <see cref="WarmupSteps"/>; the paper: SGD at 0.005).</summary>
    public double LearningRate { get; init; } = 0.005;
    /// <summary>Constant (the paper's) or cosine: the rate falls from <see cref="LearningRate"/> to 0 along a half cosine over the run's epochs.</summary>
    public LearningRateSchedule LearningRateSchedule { get; init; } = LearningRateSchedule.Constant;
    /// <summary>Dropout probability of the encoders (the paper: 0.25).</summary>
    public double Dropout { get; init; } = 0.25;
    /// <summary>Seed of initialisation, shuffling, dropout and augmentation: a seeded CPU run is reproducible.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>Weight of the audio reconstruction loss, generalised KL (AE-C; the paper: 5).</summary>
    public double AudioLossWeight { get; init; } = 5;
    /// <summary>Weight of the tag loss, BCE (AE-C reconstruction, CNN prediction; the paper: 5).</summary>
    public double TagLossWeight { get; init; } = 5;
    /// <summary>Weight of the NT-Xent loss between the audio and tag heads (AE-C, E-C; the paper: 10).</summary>
    public double ContrastiveLossWeight { get; init; } = 10;
    /// <summary>Temperature of the NT-Xent loss (the paper: 0.1).</summary>
    public double Temperature { get; init; } = 0.1;
    /// <summary>SGD (the paper's, no momentum) or AdamW (Adam with decoupled weight decay).</summary>
    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.Sgd;
    /// <summary>AdamW's decoupled weight decay (ignored by SGD, which has none as in the reference).</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Optimizer steps over which the learning rate rises linearly from 0 to its scheduled value (0: none).</summary>
    public int WarmupSteps { get; init; }
    /// <summary>
    /// Start the tag outputs at the training tags' frequencies: the bias before the sigmoid of the tag decoder
    /// (AE-C, its last BatchNorm's shift) or of the CNN's head is set to logit(frequency) of each tag, so the
    /// tag BCE starts near its floor instead of at log 2.
    /// </summary>
    public bool PriorInit { get; init; }
    /// <summary>Fresh views of each training patch every time it is drawn (<see cref="PatchAugmentation"/>); validation is never augmented.</summary>
    public bool Augment { get; init; }
    /// <summary>
    /// Weight of an extra NT-Xent term between two augmented views of each patch (COLA / BYOL-A style audio-to-audio
    /// contrast through the audio head; AE-C and E-C only; implies two views per patch). 0: off (the paper's loss).
    /// </summary>
    public double AudioContrastWeight { get; init; }
    /// <summary>torch.set_num_threads; 0 leaves libtorch's default.</summary>
    public int Threads { get; init; }
    /// <summary>"cpu", "cuda" or "cuda:N"; <c>null</c>: CUDA when available, else CPU.</summary>
    public string? Device { get; init; }
    /// <summary>Continue from the run folder's last complete checkpoint (a new run when there is none).</summary>
    public bool Resume { get; init; }
    /// <summary>Write the PNG plots (loss curves, AE-C reconstructions) after each epoch.</summary>
    public bool Plots { get; init; } = true;

    /// <summary>Throws <see cref="CoalaException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Check(bool ok, string what) { if (!ok) throw new CoalaException($"invalid training option: {what}"); }
        Check(Epochs >= 1, $"--epochs {Epochs} (expected >= 1)");
        Check(BatchSize >= 2, $"--batch-size {BatchSize} (expected >= 2: BatchNorm needs two examples per batch)");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, $"--lr {LearningRate} (expected > 0)");
        Check(Enum.IsDefined(LearningRateSchedule), $"--lr-schedule {LearningRateSchedule} (expected {LearningRates.Constant} or {LearningRates.Cosine})");
        Check(Dropout is >= 0 and < 1, $"dropout {Dropout} (expected 0 <= p < 1)");
        Check(Threads >= 0, $"--threads {Threads} (expected >= 0)");
        Check(double.IsFinite(Temperature) && Temperature > 0, $"temperature {Temperature} (expected > 0)");
        Check(AudioLossWeight >= 0 && TagLossWeight >= 0 && ContrastiveLossWeight >= 0, "loss weights must be >= 0");
        Check(Enum.IsDefined(Optimizer), $"--optimizer {Optimizer} (expected {Optimizers.Sgd} or {Optimizers.AdamW})");
        Check(double.IsFinite(WeightDecay) && WeightDecay >= 0, $"--weight-decay {WeightDecay} (expected >= 0)");
        Check(WarmupSteps >= 0, $"--warmup-steps {WarmupSteps} (expected >= 0)");
        Check(double.IsFinite(AudioContrastWeight) && AudioContrastWeight >= 0, $"--audio-contrast {AudioContrastWeight} (expected >= 0)");
        Check(AudioContrastWeight == 0 || Variant != CoalaVariant.Cnn, "--audio-contrast needs an audio head (aec or ec; the CNN has none)");
    }
}

/// <summary>
/// The run configuration stored in every checkpoint: what is needed to rebuild the networks, continue
/// training identically and export the encoder with its frontend and scaler.
/// </summary>
internal sealed class RunConfig
{
    public string Variant { get; set; } = "aec";
    public int VocabularySize { get; set; }
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    public double LearningRate { get; set; }
    /// <summary>"constant" or "cosine" (absent in checkpoints written before schedules existed: constant).</summary>
    public string LearningRateSchedule { get; set; } = LearningRates.Constant;
    /// <summary>Epochs the cosine schedule spans: the run's epoch count when it started (kept when a resume extends the run).</summary>
    public int ScheduleEpochs { get; set; }
    public double Dropout { get; set; }
    public int Seed { get; set; }
    public double AudioLossWeight { get; set; }
    public double TagLossWeight { get; set; }
    public double ContrastiveLossWeight { get; set; }
    public double Temperature { get; set; }
    /// <summary>"sgd" or "adamw" (absent in checkpoints written before optimizers were selectable: sgd).</summary>
    public string Optimizer { get; set; } = Optimizers.Sgd;
    public double WeightDecay { get; set; }
    public int WarmupSteps { get; set; }
    public bool PriorInit { get; set; }
    public bool Augment { get; set; }
    public double AudioContrastWeight { get; set; }
    /// <summary>FrontendSettings.ToMetadata() of the corpus the run trains on.</summary>
    public Dictionary<string, string> Frontend { get; set; } = new();
    public float[] ScalerMin { get; set; } = [];
    public float[] ScalerMax { get; set; } = [];
    /// <summary>Training examples carrying each tag, in multi-hot column order (empty in checkpoints written before it was stored).</summary>
    public int[] TagCounts { get; set; } = [];
    /// <summary>The tag vocabulary, in multi-hot column order (empty when the caller gave none).</summary>
    public string[] Vocabulary { get; set; } = [];

    public CoalaVariant ParsedVariant => CoalaVariants.Parse(Variant);
}

/// <summary>The optimizers of <c>coala train --optimizer</c>, as checkpoints spell them.</summary>
internal static class Optimizers
{
    /// <summary>The name a checkpoint stores.</summary>
    public static string Name(TrainingOptimizer o) => o == TrainingOptimizer.AdamW ? AdamW : Sgd;

    public const string Sgd = "sgd";
    public const string AdamW = "adamw";

    /// <summary>SGD without momentum (the reference's) or AdamW (betas 0.9/0.999, eps 1e-8, the config's weight decay).</summary>
    public static TorchSharp.Modules.OptimizerHelper Create(RunConfig config, IEnumerable<TorchSharp.Modules.Parameter> parameters) => config.Optimizer switch
    {
        Sgd => torch.optim.SGD(parameters, config.LearningRate),
        AdamW => torch.optim.AdamW(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        var other => throw new CoalaException($"unknown optimizer '{other}' (expected {Sgd} or {AdamW})"),
    };
}

/// <summary>The learning-rate schedules of <c>coala train --lr-schedule</c>.</summary>
internal static class LearningRates
{
    /// <summary>The name a checkpoint stores.</summary>
    public static string Name(LearningRateSchedule s) => s == LearningRateSchedule.Cosine ? Cosine : Constant;

    public const string Constant = "constant";
    public const string Cosine = "cosine";

    /// <summary>
    /// The rate of 1-based <paramref name="epoch"/>: constant, or cosine, lr * (1 + cos(pi * (epoch - 1) / span)) / 2
    /// over <see cref="RunConfig.ScheduleEpochs"/> (epoch 1 at the full rate; epochs past the span at the last one's).
    /// </summary>
    public static double At(RunConfig config, int epoch)
    {
        if (config.LearningRateSchedule != Cosine) return config.LearningRate;
        int span = Math.Max(1, config.ScheduleEpochs > 0 ? config.ScheduleEpochs : config.Epochs);
        double progress = Math.Min(epoch, span) - 1;
        return config.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress / span));
    }

    /// <summary>
    /// The rate of 0-based optimizer step <paramref name="step"/> in 1-based <paramref name="epoch"/>: <see cref="At(RunConfig, int)"/>
    /// times the linear warm-up factor min(1, (step + 1) / <see cref="RunConfig.WarmupSteps"/>).
    /// </summary>
    public static double At(RunConfig config, int epoch, long step) =>
        At(config, epoch) * (config.WarmupSteps > 0 ? Math.Min(1.0, (step + 1) / (double)config.WarmupSteps) : 1.0);
}
