using Coala.ML.Features;
using Coala.ML.Training.Networks;
using Coala.ML.Training;

namespace Coala.ML.Training.Tests.Trainer;

/// <summary>Short CPU runs on a generated set: losses fall, runs are reproducible and resumable, logs and plots appear.</summary>
public class TrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coala-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    internal static TrainingOptions Tiny(CoalaVariant variant, int epochs, double lr = 0.05) => new()
    {
        Variant = variant, Epochs = epochs, BatchSize = 4, LearningRate = lr, Seed = 7, Threads = 2, Device = "cpu",
    };

    internal static TrainingResult Train(TrainingOptions options, string dir, int trainCount = 12, Action<int, int>? afterBatch = null,
        CancellationToken cancel = default)
    {
        var trainer = new CoalaTrainer(new SyntheticCorpus(new SyntheticSet(trainCount, seed: 1), new SyntheticSet(6, seed: 2)), dir, options)
            { AfterBatch = afterBatch };
        return trainer.Run(cancel);
    }

    [Theory]
    [InlineData("aec", 0.02)]
    [InlineData("ec", 0.05)]
    [InlineData("cnn", 0.1)]
    public void TrainingLossFalls(string variantName, double lr)
    {
        var variant = CoalaVariants.Parse(variantName);
        var r = Train(Tiny(variant, 4, lr) with { Plots = variant == CoalaVariant.AeC }, _dir);
        Assert.Equal(4, r.EpochsCompleted);
        var train = r.History.Where(h => h.Split == "train").Select(h => h.Objective).ToArray();
        Assert.All(train, v => Assert.True(double.IsFinite(v)));
        Assert.True(train[^1] < train[0] * 0.95, $"{variantName} training loss did not fall: {string.Join(", ", train)}");
        Assert.Equal(4, r.History.Count(h => h.Split == "validation"));
        var log = File.ReadAllLines(Path.Combine(_dir, CoalaTrainer.LogFileName));
        Assert.Equal("epoch,split,objective,audio_kl,tag_bce,contrastive,patches_per_s,wall_s", log[0]);
        Assert.Equal(1 + 8, log.Length);
        if (variant == CoalaVariant.AeC)
        {
            Assert.True(new FileInfo(Path.Combine(_dir, CoalaTrainer.LossPlotFileName)).Length > 1000);
            Assert.True(File.Exists(Path.Combine(_dir, CoalaTrainer.ReconstructionFolder, "epoch_004.png")));
        }
    }

    [Fact]
    public void SeededRunsAreReproducibleAndResumeContinuesExactly()
    {
        var opts = Tiny(CoalaVariant.AeC, 2) with { Plots = false };
        var full = Train(opts, Path.Combine(_dir, "full"), trainCount: 8);
        var again = Train(opts, Path.Combine(_dir, "again"), trainCount: 8);
        Assert.Equal(full.History.Select(h => h.Objective), again.History.Select(h => h.Objective));

        // Interrupted in the middle of epoch 2: the epoch is lost, the epoch-1 checkpoint stands.
        string partDir = Path.Combine(_dir, "part");
        using var cts = new CancellationTokenSource();
        var part = Train(opts, partDir, trainCount: 8, afterBatch: (e, b) => { if (e == 2 && b == 1) cts.Cancel(); }, cancel: cts.Token);
        Assert.Equal(1, part.EpochsCompleted);
        Assert.Equal(1, TrainingCheckpoint.Load(Path.Combine(partDir, TrainingCheckpoint.FileName)).Epoch);

        var resumed = Train(opts with { Resume = true }, partDir, trainCount: 8);
        Assert.Equal(2, resumed.EpochsCompleted);
        Assert.Equal(full.History.Select(h => (h.Epoch, h.Split, h.Objective)), resumed.History.Select(h => (h.Epoch, h.Split, h.Objective)));
        var a = TrainingCheckpoint.Load(Path.Combine(_dir, "full", TrainingCheckpoint.FileName));
        var b = TrainingCheckpoint.Load(Path.Combine(partDir, TrainingCheckpoint.FileName));
        foreach (var (net, tensors) in a.Networks)
            foreach (var (key, t) in tensors)
                Assert.True(t.Data.AsSpan().SequenceEqual(b.Networks[net][key].Data), $"{net}/{key} differs after resume");
        Assert.Equal(5, File.ReadAllLines(Path.Combine(partDir, CoalaTrainer.LogFileName)).Length);
    }

    [Fact]
    public void CosineScheduleFallsToZeroAndSpansTheRunsFirstEpochCount()
    {
        var config = new RunConfig { LearningRate = 0.04, Epochs = 5, ScheduleEpochs = 4, LearningRateSchedule = LearningRates.Cosine };
        var rates = Enumerable.Range(1, 6).Select(e => LearningRates.At(config, e)).ToArray();
        Assert.Equal(0.04, rates[0], 12);
        Assert.Equal(0.02, rates[2], 12);              // epoch 3 of 4: cos(pi / 2)
        Assert.True(rates[0] > rates[1] && rates[1] > rates[2] && rates[2] > rates[3] && rates[3] > 0);
        Assert.Equal(rates[3], rates[4], 12);          // a resume that extends the run keeps the last rate
        Assert.Equal(0.04, LearningRates.At(new RunConfig { LearningRate = 0.04, Epochs = 5 }, 5), 12);   // constant (old checkpoints too)
        Assert.Throws<CoalaException>(() => (Tiny(CoalaVariant.AeC, 2) with { LearningRateSchedule = (LearningRateSchedule)7 }).Validate());
    }

    [Fact]
    public void CosineRunsResumeOnTheirScheduleAndDifferFromConstantOnes()
    {
        var opts = Tiny(CoalaVariant.EC, 3) with { Plots = false, LearningRateSchedule = LearningRateSchedule.Cosine };
        var full = Train(opts, Path.Combine(_dir, "full"), trainCount: 8);
        var constant = Train(opts with { LearningRateSchedule = LearningRateSchedule.Constant }, Path.Combine(_dir, "constant"), trainCount: 8);
        Assert.Equal(full.History[0].Objective, constant.History[0].Objective);      // epoch 1: both at the full rate
        Assert.NotEqual(full.History[^2].Objective, constant.History[^2].Objective);  // later: a smaller rate

        string partDir = Path.Combine(_dir, "part");
        Train(opts with { Epochs = 2 }, partDir, trainCount: 8);                       // a run started for 2 epochs
        var stored = TrainingCheckpoint.Load(Path.Combine(partDir, TrainingCheckpoint.FileName)).Config;
        Assert.Equal((LearningRates.Cosine, 2), (stored.LearningRateSchedule, stored.ScheduleEpochs));
        // and extended to 3 keeps its own 2-epoch schedule, so its epoch 3 is not the 3-epoch run's:
        var extended = Train(opts with { Resume = true }, partDir, trainCount: 8);
        Assert.Equal(3, extended.EpochsCompleted);
        Assert.Equal(full.History.Take(2).Select(h => h.Objective), extended.History.Take(2).Select(h => h.Objective));
        Assert.NotEqual(full.History[^2].Objective, extended.History[^2].Objective);
    }

    [Fact]
    public void ANewRunRefusesToOverwriteACheckpoint()
    {
        Train(Tiny(CoalaVariant.Cnn, 1) with { Plots = false }, _dir);
        var e = Assert.Throws<CoalaException>(() => Train(Tiny(CoalaVariant.Cnn, 1) with { Plots = false }, _dir));
        Assert.Contains("--resume", e.Message);
        var v = Assert.Throws<CoalaException>(() => Train(Tiny(CoalaVariant.EC, 2) with { Plots = false, Resume = true }, _dir));
        Assert.Contains("variant", v.Message);
    }

    [Fact]
    public void NoTensorsLeakPerBatchOrEpoch()
    {
        long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var opts = Tiny(CoalaVariant.EC, 1) with { Plots = false };
        long before1 = Live();
        Train(opts, Path.Combine(_dir, "one"), trainCount: 8);
        long leak1 = Live() - before1;
        long before3 = Live();
        Train(opts with { Epochs = 3 }, Path.Combine(_dir, "three"), trainCount: 8);
        long leak3 = Live() - before3;
        Assert.True(leak3 == leak1, $"live tensors left by a 1-epoch run: {leak1}, by a 3-epoch run: {leak3}");
    }

    [Fact]
    public void TooFewExamplesForOneBatchIsACoalaException()
    {
        var e = Assert.Throws<CoalaException>(() => Train(Tiny(CoalaVariant.Cnn, 1) with { BatchSize = 64 }, _dir));
        Assert.Contains("batch", e.Message);
    }
}
