namespace Coala.ML.Evaluation;

/// <summary>
/// Per-dimension standardisation (x - mean) / std with mean and population std of the TRAINING split only;
/// dimensions with (near) zero spread are only centred.
/// </summary>
public sealed class FeatureStandardizer
{
    public float[] Mean { get; }
    public float[] Std { get; }

    private FeatureStandardizer(float[] mean, float[] std) { Mean = mean; Std = std; }

    /// <summary>Fits on the training vectors (all the same length, at least one).</summary>
    public static FeatureStandardizer Fit(IReadOnlyList<float[]> train)
    {
        if (train.Count == 0) throw new CoalaException("no training vectors to standardise");
        int d = train[0].Length;
        var sum = new double[d];
        foreach (var v in train)
        {
            if (v.Length != d) throw new CoalaException($"feature vectors of different lengths ({v.Length} and {d})");
            for (int i = 0; i < d; i++) sum[i] += v[i];
        }
        var mean = sum.Select(s => s / train.Count).ToArray();
        var sq = new double[d];
        foreach (var v in train)
            for (int i = 0; i < d; i++) sq[i] += (v[i] - mean[i]) * (v[i] - mean[i]);
        var std = sq.Select(s => Math.Sqrt(s / train.Count)).Select(s => s > 1e-8 ? s : 1.0).ToArray();
        return new FeatureStandardizer(mean.Select(m => (float)m).ToArray(), std.Select(s => (float)s).ToArray());
    }

    public float[] Transform(float[] v)
    {
        if (v.Length != Mean.Length) throw new CoalaException($"feature vector has {v.Length} values, the standardiser {Mean.Length}");
        var r = new float[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = (v[i] - Mean[i]) / Std[i];
        return r;
    }

    public float[][] Transform(IReadOnlyList<float[]> vs) => vs.Select(Transform).ToArray();
}
