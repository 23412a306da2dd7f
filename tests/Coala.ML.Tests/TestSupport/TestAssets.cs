using Coala.ML.Audio;
using Coala.ML.Export;
using Coala.ML.Features;

namespace Coala.ML.Tests.TestSupport;

/// <summary>Small generated audio and random-weight models for tests. Nothing is downloaded.</summary>
internal static class TestAssets
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "coala-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        return dir;
    });

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Root.Value, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static readonly Dictionary<string, string> Models = new();

    /// <summary>An encoder with random weights and a random (but valid) scaler, written once per settings and seed.</summary>
    public static string RandomModel(int seed = 1, FrontendSettings? settings = null)
    {
        settings ??= FrontendSettings.Default;
        var key = $"{seed}-{string.Join(";", settings.ToMetadata().Select(kv => kv.Value))}";
        lock (Models)
        {
            if (Models.TryGetValue(key, out var p)) return p;
            var rng = new Random(seed);
            var min = Enumerable.Range(0, settings.MelBands).Select(_ => -16f + (float)rng.NextDouble()).ToArray();
            var max = min.Select(m => m + 10f + (float)rng.NextDouble() * 5).ToArray();
            var path = Path.Combine(TempDir("model"), $"random-{seed}.onnx");
            OnnxEncoderWriter.Write(path, EncoderWeights.Random(seed), settings, new MinMaxScaler(min, max));
            Models[key] = path;
            return path;
        }
    }

    /// <summary>A deterministic test signal: a chirp plus a tone plus a little seeded noise.</summary>
    public static float[] Signal(double seconds, int rate, int seed = 0, double f0 = 220)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * rate);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / rate;
            x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (f0 * t + 200 * t * t)) + 0.2 * Math.Sin(2 * Math.PI * 3 * f0 * t)
                           + 0.02 * (rng.NextDouble() * 2 - 1));
        }
        return x;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> and returns the path.</summary>
    public static string WriteBytes(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Writes 16-bit PCM mono WAV.</summary>
    public static string WriteWav(string path, float[] samples, int rate) => WavWriter.WritePcm16(path, samples, rate);

    /// <summary>The samples a 16-bit WAV of <paramref name="samples"/> decodes to.</summary>
    public static float[] Quantise16(float[] samples) =>
        samples.Select(s => WavWriter.ToPcm16(s) / 32768f).ToArray();

    /// <summary>The repository's parent folder holding shared/ (CI and developers have it beside the repo).</summary>
    public static string SharedDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var s = Path.Combine(d.FullName, "shared", "data", "fsdd");
            if (Directory.Exists(s)) return Path.Combine(d.FullName, "shared");
        }
        throw new DirectoryNotFoundException("../shared (with data/fsdd) not found above " + AppContext.BaseDirectory);
    }
}
