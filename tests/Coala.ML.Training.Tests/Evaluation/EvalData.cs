using Coala.ML.Audio;

namespace Coala.ML.Training.Tests.Evaluation;

/// <summary>Generated audio and dataset look-alikes for the evaluation tests.</summary>
internal static class EvalData
{
    public static float[] Tone(double freq, double seconds = 0.5, int rate = 16000, double amp = 0.4, double phase = 0)
    {
        var x = new float[(int)(seconds * rate)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(amp * Math.Sin(2 * Math.PI * freq * i / rate + phase));
        return x;
    }

    public static float[] Noise(int seed, double seconds = 0.5, int rate = 16000, double amp = 0.3)
    {
        var rng = new Random(seed);
        var x = new float[(int)(seconds * rate)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(amp * (rng.NextDouble() * 2 - 1));
        return x;
    }

    /// <summary>Writes a short WAV (a tone by default) and returns its path.</summary>
    public static string Wav(string path, float[]? samples = null, int rate = 16000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return WavWriter.WritePcm16(path, samples ?? Tone(440, 0.1, rate), rate);
    }

    /// <summary>DIR/&lt;class&gt;/&lt;class&gt;_i.wav for each class.</summary>
    public static void ClassFolders(string dir, IEnumerable<string> classes, int perClass)
    {
        foreach (var c in classes)
            for (int i = 0; i < perClass; i++) Wav(Path.Combine(dir, c, $"{c}_{i}.wav"));
    }

    /// <summary>The shared FSDD recordings (../shared/data/fsdd/recordings above the test binaries), or null.</summary>
    public static string? SharedFsdd()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var s = Path.Combine(d.FullName, "shared", "data", "fsdd", "recordings");
            if (Directory.Exists(s)) return s;
        }
        return null;
    }
}
