namespace Coala.ML.Features;

/// <summary>
/// Per-mel-band min-max scaling, as sklearn's MinMaxScaler fitted on the training patches:
/// <c>(x - Min[b]) * Scale[b]</c> with <c>Scale[b] = 1 / (Max[b] - Min[b])</c> (1 where the range is 0).
/// Fitted on the training split only; stored with the model (in-graph constants of the ONNX encoder).
/// </summary>
internal sealed class MinMaxScaler
{
    public float[] Min { get; }
    public float[] Max { get; }

    public MinMaxScaler(float[] min, float[] max)
    {
        if (min.Length != max.Length || min.Length == 0) throw new ArgumentException("min and max must be non-empty and of equal length");
        for (int b = 0; b < min.Length; b++)
            if (!float.IsFinite(min[b]) || !float.IsFinite(max[b]) || max[b] < min[b])
                throw new CoalaException($"invalid scaler for band {b}: min {min[b]}, max {max[b]}");
        Min = min;
        Max = max;
    }

    public int Bands => Min.Length;

    public float Scale(int band)
    {
        float range = Max[band] - Min[band];
        return range > 0 ? 1f / range : 1f;
    }

    /// <summary>The identity scaler (min 0, scale 1) for <paramref name="bands"/> bands.</summary>
    public static MinMaxScaler Identity(int bands) => new(new float[bands], Enumerable.Repeat(1f, bands).ToArray());

    /// <summary>Scales patches laid out [patch, band, frame] in place.</summary>
    public void TransformInPlace(Span<float> patches, int frames)
    {
        int per = Bands * frames;
        if (patches.Length % per != 0) throw new ArgumentException($"patch data of {patches.Length} values is not a multiple of {Bands}x{frames}");
        for (int p = 0; p < patches.Length; p += per)
            for (int b = 0; b < Bands; b++)
            {
                float min = Min[b], s = Scale(b);
                var row = patches.Slice(p + b * frames, frames);
                for (int t = 0; t < row.Length; t++) row[t] = (row[t] - min) * s;
            }
    }
}
