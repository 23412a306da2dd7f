using Microsoft.ML;
using Microsoft.ML.Data;

namespace Coala.ML.Samples;

/// <summary>
/// The classification pipeline of the samples: COALA embedding → mean/variance normalisation → L-BFGS maximum-entropy
/// (multinomial logistic regression), and its evaluation on held-out files.
/// </summary>
public static class AudioClassification
{
    /// <summary>
    /// <c>Path</c> (audio file) and <c>Label</c> (class name) in; <c>Embedding</c> (1152 floats), <c>PredictedLabel</c>
    /// (key) and <c>Predicted</c> (class name) out.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="modelPath">A Coala.ML ONNX encoder; null: the default model installed beside the application.</param>
    public static IEstimator<ITransformer> Pipeline(MLContext ml, string? modelPath = null) =>
        ml.Transforms.CoalaEmbed("Embedding", nameof(AudioExample.Path), modelPath)
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(AudioExample.Label),
                keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            // The trainer makes many passes over the data: embed each file once.
            .AppendCacheCheckpoint(ml)
            .Append(ml.Transforms.NormalizeMeanVariance("Features", "Embedding"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("Predicted", "PredictedLabel"));

    /// <summary>Scores <paramref name="test"/> with a fitted <see cref="Pipeline"/> and gathers metrics and embeddings.</summary>
    public static ClassificationResult Evaluate(MLContext ml, ITransformer model, IDataView test)
    {
        var scored = ml.Data.Cache(model.Transform(test));
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        VBuffer<ReadOnlyMemory<char>> keys = default;
        scored.Schema["LabelKey"].GetKeyValues(ref keys);
        var classes = keys.DenseValues().Select(k => k.ToString()).ToArray();
        var rows = ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).ToList();

        var cm = metrics.ConfusionMatrix;
        var counts = new int[classes.Length, classes.Length];
        for (int i = 0; i < classes.Length; i++)
            for (int j = 0; j < classes.Length; j++) counts[i, j] = (int)cm.Counts[i][j];
        double macroF1 = Enumerable.Range(0, classes.Length).Average(i =>
        {
            double p = cm.PerClassPrecision[i], r = cm.PerClassRecall[i];
            return p + r > 0 ? 2 * p * r / (p + r) : 0;
        });
        return new ClassificationResult(classes, counts, metrics.MicroAccuracy, metrics.MacroAccuracy, macroF1,
            rows.Select(r => r.Embedding).ToArray(), rows.Select(r => r.Label).ToArray(), cm.GetFormattedConfusionTable());
    }

    private sealed class ScoredRow
    {
        public string Label { get; set; } = "";
        [VectorType] public float[] Embedding { get; set; } = [];
    }
}

/// <summary>Test-set results of <see cref="AudioClassification.Evaluate"/>.</summary>
/// <param name="Classes">Class names, in the order of <paramref name="Counts"/>.</param>
/// <param name="Counts">Confusion counts: rows are the true class, columns the predicted class.</param>
/// <param name="Accuracy">Fraction of test files classified correctly.</param>
/// <param name="BalancedAccuracy">Mean per-class recall (ML.NET's macro accuracy).</param>
/// <param name="MacroF1">Mean per-class F1.</param>
/// <param name="Embeddings">The test files' embeddings.</param>
/// <param name="Labels">The test files' true classes, in the order of <paramref name="Embeddings"/>.</param>
/// <param name="ConfusionTable">ML.NET's text confusion table.</param>
public sealed record ClassificationResult(
    string[] Classes, int[,] Counts, double Accuracy, double BalancedAccuracy, double MacroF1,
    float[][] Embeddings, string[] Labels, string ConfusionTable)
{
    /// <summary>Accuracy, balanced accuracy, macro-F1 and the confusion table.</summary>
    public override string ToString() =>
        $"accuracy {Accuracy:P1}  balanced accuracy {BalancedAccuracy:P1}  macro-F1 {MacroF1:F3}  ({Labels.Length} test files, {Classes.Length} classes)\n{ConfusionTable}";
}
