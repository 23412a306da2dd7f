using Coala.ML.Export;
using Coala.ML.Features;

namespace Coala.ML.Tests.Export;

/// <summary>Shared random encoder weights, scaler and patches for the export and model tests.</summary>
internal static class TestModels
{
    private static readonly Lazy<EncoderWeights> LazyWeights = new(() => EncoderWeights.Random(1234));
    public static EncoderWeights Weights => LazyWeights.Value;

    /// <summary>A non-trivial per-band scaler over log-mel-like values.</summary>
    public static MinMaxScaler Scaler(int bands, int seed = 7)
    {
        var rng = new Random(seed);
        var min = new float[bands];
        var max = new float[bands];
        for (int b = 0; b < bands; b++)
        {
            min[b] = -16f + (float)rng.NextDouble() * 4f;
            max[b] = min[b] + 4f + (float)rng.NextDouble() * 12f;
        }
        return new MinMaxScaler(min, max);
    }

    /// <summary>Random unscaled log-mel-like patches [count, bands, frames].</summary>
    public static float[] Patches(int count, int bands, int frames, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count * bands * frames];
        for (int i = 0; i < x.Length; i++) x[i] = -16f + (float)rng.NextDouble() * 20f;
        return x;
    }

    private static readonly Lazy<byte[]> LazyDefaultModel = new(() =>
        OnnxEncoderWriter.Write(Weights, FrontendSettings.Default, Scaler(96)));
    /// <summary>The default-frontend model's bytes (built once).</summary>
    public static byte[] DefaultModel => LazyDefaultModel.Value;

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coala-export-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
