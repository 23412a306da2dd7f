using Coala.ML.Evaluation;

namespace Coala.ML.Training.Tests.Evaluation;

public class ClassifierTests
{
    /// <summary>Three Gaussian blobs in 8-d, linearly separable with a margin.</summary>
    private static (float[][] x, int[] y) Blobs(int perClass, int seed)
    {
        var rng = new Random(seed);
        var centres = new[] { new[] { 4f, 0, 0 }, new[] { 0, 4f, 0 }, new[] { 0, 0, 4f } };
        var x = new List<float[]>();
        var y = new List<int>();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < perClass; i++)
            {
                var v = new float[8];
                for (int d = 0; d < 8; d++) v[d] = (d < 3 ? centres[c][d] : 0) + (float)(rng.NextDouble() - 0.5) + 100f * (d == 7 ? 1 : 0);
                x.Add(v);
                y.Add(c);
            }
        return (x.ToArray(), y.ToArray());
    }

    [Fact]
    public void StandardizerUsesTrainingStatisticsOnly()
    {
        var train = new[] { new[] { 1f, 5f }, new[] { 3f, 5f } };
        var std = FeatureStandardizer.Fit(train);
        Assert.Equal([2f, 5f], std.Mean);
        Assert.Equal(1f, std.Std[0], 5);
        Assert.Equal(1f, std.Std[1]); // constant dimension: only centred
        // A test vector far outside is mapped with the training mean/std, not its own.
        Assert.Equal([98f, 2f], std.Transform([100f, 7f]));
        var t = std.Transform(train);
        Assert.Equal(0, t.Average(v => v[0]), 5);
        Assert.Throws<CoalaException>(() => std.Transform([1f]));
        Assert.Throws<CoalaException>(() => FeatureStandardizer.Fit([]));
    }

    [Fact]
    public void MlpLearnsSeparableProblemAndIsSeededReproducible()
    {
        var (xTrain, yTrain) = Blobs(40, 1);
        var (xTest, yTest) = Blobs(20, 2);
        var std = FeatureStandardizer.Fit(xTrain);
        var a = std.Transform(xTrain);
        var b = std.Transform(xTest);
        var options = new MlpOptions { MaxEpochs = 30, Patience = 5 };
        var r1 = MlpClassifier.TrainAndPredict(a, yTrain, b, 3, options, seed: 7);
        Assert.True(Evaluator.Accuracy(r1.Predictions, yTest) >= 0.98, $"accuracy {Evaluator.Accuracy(r1.Predictions, yTest)}");
        Assert.InRange(r1.EpochsTrained, 1, 30);
        Assert.InRange(r1.BestEpoch, 1, r1.EpochsTrained);

        var r2 = MlpClassifier.TrainAndPredict(a, yTrain, b, 3, options, seed: 7);
        Assert.Equal(r1.Predictions, r2.Predictions);
        Assert.Equal(r1.EpochsTrained, r2.EpochsTrained);

        // Without early stopping it trains exactly MaxEpochs.
        var r3 = MlpClassifier.TrainAndPredict(a, yTrain, b, 3, options with { MaxEpochs = 3, Patience = 0 }, seed: 1);
        Assert.Equal(3, r3.EpochsTrained);
    }

    [Fact]
    public void MlpSeedChangesTheRun()
    {
        // A hard, overlapping problem: different seeds give different predictions somewhere.
        var rng = new Random(5);
        var x = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 6).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        var y = x.Select(v => v[0] + 0.5 * rng.NextDouble() > 0.75 ? 1 : 0).ToArray();
        var o = new MlpOptions { MaxEpochs = 5, Patience = 0 };
        var p1 = MlpClassifier.TrainAndPredict(x, y, x, 2, o, 1).Predictions;
        var p2 = MlpClassifier.TrainAndPredict(x, y, x, 2, o, 2).Predictions;
        Assert.NotEqual(p1, p2);
    }

    [Fact]
    public void MlNetLbfgsMaximumEntropyLearnsSeparableProblem()
    {
        var (xTrain, yTrain) = Blobs(30, 3);
        var (xTest, yTest) = Blobs(10, 4);
        var std = FeatureStandardizer.Fit(xTrain);
        var p = MlNetClassifier.TrainAndPredict(std.Transform(xTrain), yTrain, std.Transform(xTest), seed: 0);
        Assert.Equal(yTest.Length, p.Length);
        Assert.True(Evaluator.Accuracy(p, yTest) >= 0.98);
    }

    [Fact]
    public void MlpOptionsRejectInvalidValues()
    {
        Assert.Throws<CoalaException>(() => new MlpOptions { Dropout = 1 }.Validate());
        Assert.Throws<CoalaException>(() => new MlpOptions { LearningRate = 0 }.Validate());
        Assert.Throws<CoalaException>(() => new MlpOptions { MaxEpochs = 0 }.Validate());
        Assert.Throws<CoalaException>(() => new EvaluationOptions { Repeats = 0 }.Validate());
    }
}
