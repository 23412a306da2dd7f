using Coala.ML.Features;
using Coala.ML.Training.Losses;
using Coala.ML.Training.Networks;
using Coala.ML.Training;
using static TorchSharp.torch;

namespace Coala.ML.Training.Tests.Trainer;

/// <summary>The few-steps recipe options: AdamW with warm-up, prior-initialised tag outputs, augmented views, audio contrast.</summary>
public class RecipeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coala-recipe-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static TrainingOptions Recipe(CoalaVariant variant) => TrainerTests.Tiny(variant, 2, lr: 0.001) with
    {
        Optimizer = TrainingOptimizer.AdamW, WarmupSteps = 3, PriorInit = variant != CoalaVariant.EC, Augment = true,
        AudioContrastWeight = variant == CoalaVariant.Cnn ? 0 : 1, Plots = false,
    };

    [Theory]
    [InlineData("aec")]
    [InlineData("ec")]
    [InlineData("cnn")]
    public void RecipeRunsAreReproducibleAndResumeContinuesExactly(string variantName)
    {
        var opts = Recipe(CoalaVariants.Parse(variantName));
        var full = TrainerTests.Train(opts, Path.Combine(_dir, "full"), trainCount: 8);
        Assert.Equal(4, full.Steps);
        Assert.All(full.History, h => Assert.True(double.IsFinite(h.Objective), $"{h.Split} epoch {h.Epoch}: {h.Objective}"));
        var again = TrainerTests.Train(opts, Path.Combine(_dir, "again"), trainCount: 8);
        Assert.Equal(full.History.Select(h => h.Objective), again.History.Select(h => h.Objective));

        string partDir = Path.Combine(_dir, "part");
        using var cts = new CancellationTokenSource();
        TrainerTests.Train(opts, partDir, trainCount: 8, afterBatch: (e, b) => { if (e == 2 && b == 1) cts.Cancel(); }, cancel: cts.Token);
        var resumed = TrainerTests.Train(opts with { Resume = true }, partDir, trainCount: 8);
        Assert.Equal(full.History.Select(h => (h.Epoch, h.Split, h.Objective)), resumed.History.Select(h => (h.Epoch, h.Split, h.Objective)));
        var a = TrainingCheckpoint.Load(Path.Combine(_dir, "full", TrainingCheckpoint.FileName));
        var b = TrainingCheckpoint.Load(Path.Combine(partDir, TrainingCheckpoint.FileName));
        Assert.Equal(Optimizers.AdamW, b.Config.Optimizer);
        Assert.Equal(CoalaTrainer.TagFrequencies(new SyntheticSet(8, seed: 1)).Select(f => (int)Math.Round(f * 8)), b.Config.TagCounts);
        Assert.Equal(3, b.Config.WarmupSteps);
        foreach (var (net, tensors) in a.Networks)
            foreach (var (key, t) in tensors)
                Assert.True(t.Data.AsSpan().SequenceEqual(b.Networks[net][key].Data), $"{net}/{key} differs after resume");
    }

    [Fact]
    public void TheRecipeChangesTrainingFromThePapersRun()
    {
        var paper = TrainerTests.Train(TrainerTests.Tiny(CoalaVariant.AeC, 1, lr: 0.001) with { Plots = false }, Path.Combine(_dir, "paper"), trainCount: 8);
        var recipe = TrainerTests.Train(Recipe(CoalaVariant.AeC) with { Epochs = 1 }, Path.Combine(_dir, "recipe"), trainCount: 8);
        Assert.NotEqual(paper.History[0].Objective, recipe.History[0].Objective);
    }

    [Fact]
    public void WarmUpRisesLinearlyToTheScheduledRate()
    {
        var c = new RunConfig { LearningRate = 0.01, WarmupSteps = 4, Epochs = 10 };
        Assert.Equal(0.0025, LearningRates.At(c, 1, 0), 12);
        Assert.Equal(0.0075, LearningRates.At(c, 1, 2), 12);
        Assert.Equal(0.01, LearningRates.At(c, 1, 3), 12);
        Assert.Equal(0.01, LearningRates.At(c, 3, 500), 12);
        var cosine = new RunConfig { LearningRate = 0.01, WarmupSteps = 2, Epochs = 4, ScheduleEpochs = 4, LearningRateSchedule = LearningRates.Cosine };
        Assert.Equal(LearningRates.At(cosine, 3) * 0.5, LearningRates.At(cosine, 3, 0), 12);
        Assert.Equal(0.01, LearningRates.At(new RunConfig { LearningRate = 0.01 }, 1, 0), 12);
    }

    [Fact]
    public void PriorInitialisationStartsTheTagLossNearItsFloor()
    {
        const int vocabulary = 40;
        var set = new SyntheticSet(12, seed: 3, vocabulary: vocabulary);
        var freq = CoalaTrainer.TagFrequencies(set);
        Assert.Equal(vocabulary, freq.Length);
        Assert.Equal(1.0 / 3, freq[0], 9);
        Assert.Equal(0, freq[10]);

        var patches = new float[12 * 96 * 96];
        var labels = new float[12 * vocabulary];
        set.Fill(Enumerable.Range(0, 12).ToArray(), patches, labels);
        double Bce(bool prior)
        {
            manual_seed(5);
            using var nets = new CoalaNetworks(CoalaVariant.AeC, vocabulary);
            if (prior) Assert.True(nets.InitialiseTagPriors(freq));
            nets.Train(true);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var tags = tensor(labels, [12, vocabulary]);
            var (z, _) = nets.TagEncoder!.forward(tags);
            return CoalaLosses.BinaryCrossEntropy(nets.TagDecoder!.forward(z), tags).item<float>();
        }
        double plain = Bce(prior: false), primed = Bce(prior: true);
        Assert.True(plain > 0.6, $"default initialisation: BCE {plain}");
        Assert.True(primed < 0.25, $"prior initialisation: BCE {primed} (plain {plain})");

        using var cnn = new CoalaNetworks(CoalaVariant.Cnn, vocabulary);
        Assert.True(cnn.InitialiseTagPriors(freq));
        using var ec = new CoalaNetworks(CoalaVariant.EC, vocabulary);
        Assert.False(ec.InitialiseTagPriors(freq));
        Assert.Throws<ArgumentException>(() => cnn.InitialiseTagPriors(new double[3]));
    }

    [Fact]
    public void AugmentationIsSeededNonNegativeAndMovesThePatch()
    {
        var aug = new PatchAugmentation(MinMaxScaler.Identity(96), 96);
        var source = new float[96 * 96];
        var rng0 = new Random(1);
        for (int i = 0; i < source.Length; i++) source[i] = (float)rng0.NextDouble();
        float[] View(int seed)
        {
            var p = (float[])source.Clone();
            aug.Apply(p, new Random(seed), new float[96]);
            return p;
        }
        var a = View(11);
        Assert.Equal(a, View(11));
        Assert.NotEqual(a, View(12));
        Assert.NotEqual(source, a);
        Assert.All(a, v => Assert.True(v >= 0 && float.IsFinite(v)));
        Assert.Contains(a, v => v > 0);

        // A constant patch stays constant but for the masks: the gain is one shift for every band of an identity scaler.
        var flat = Enumerable.Repeat(0.5f, 96 * 96).ToArray();
        aug.Apply(flat, new Random(3), new float[96]);
        var values = flat.Where(v => v > 0).Distinct().ToArray();
        Assert.Single(values);
        Assert.InRange(values[0], 0.5f - 0.7f, 0.5f + 0.7f); // ±6 dB is ±0.69 in natural-log units
        Assert.Throws<ArgumentException>(() => aug.Apply(new float[10], new Random(1), new float[96]));
    }

    [Fact]
    public void RecipeOptionsAreValidated()
    {
        TrainingOptions ok = Recipe(CoalaVariant.AeC);
        ok.Validate();
        Assert.Throws<CoalaException>(() => (ok with { Optimizer = (TrainingOptimizer)7 }).Validate());
        Assert.Throws<CoalaException>(() => (ok with { WarmupSteps = -1 }).Validate());
        Assert.Throws<CoalaException>(() => (ok with { WeightDecay = double.NaN }).Validate());
        var e = Assert.Throws<CoalaException>(() => (ok with { Variant = CoalaVariant.Cnn, AudioContrastWeight = 1 }).Validate());
        Assert.Contains("audio head", e.Message);
    }
}
