using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Coala.ML.Evaluation;

/// <summary>
/// The ML.NET path on the same standardised features: <c>LbfgsMaximumEntropy</c> (multinomial logistic regression)
/// with ML.NET's default regularisation (L1 = L2 = 1), labels mapped to keys and back.
/// </summary>
public static class MlNetClassifier
{
    public const string Description = "ML.NET LbfgsMaximumEntropy (default L1 = L2 = 1) on the same standardised features";

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed class Prediction
    {
        public uint PredictedLabelValue { get; set; }
    }

    public static int[] TrainAndPredict(float[][] xTrain, int[] yTrain, float[][] xTest, int seed, int threads = 0)
    {
        if (xTrain.Length == 0) throw new CoalaException("ML.NET: no training vectors");
        int d = xTrain[0].Length;
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        var train = ml.Data.LoadFromEnumerable(xTrain.Select((x, i) => new Row { Features = x, Label = (uint)yTrain[i] }), schema);
        var trainerOptions = new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = "LabelKey",
            FeatureColumnName = nameof(Row.Features),
            NumberOfThreads = threads > 0 ? threads : null,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(Row.Label))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(trainerOptions))
            .Append(ml.Transforms.Conversion.MapKeyToValue(nameof(Prediction.PredictedLabelValue), "PredictedLabel"));
        var model = pipeline.Fit(train);
        if (xTest.Length == 0) return [];
        var test = ml.Data.LoadFromEnumerable(xTest.Select(x => new Row { Features = x }), schema);
        return ml.Data.CreateEnumerable<Prediction>(model.Transform(test), reuseRowObject: false)
            .Select(p => (int)p.PredictedLabelValue).ToArray();
    }
}
