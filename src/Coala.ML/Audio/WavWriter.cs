namespace Coala.ML.Audio;

/// <summary>Writes mono 16-bit PCM WAV files (benchmarks, tests, generated corpora).</summary>
internal static class WavWriter
{
    /// <summary>Writes <paramref name="samples"/> (clipped to [-1, 1]) as 16-bit PCM at <paramref name="rate"/> Hz.</summary>
    public static string WritePcm16(string path, ReadOnlySpan<float> samples, int rate)
    {
        using var w = new BinaryWriter(File.Create(path));
        int dataBytes = samples.Length * 2;
        w.Write("RIFF"u8); w.Write(36 + dataBytes); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(dataBytes);
        foreach (var s in samples) w.Write(ToPcm16(s));
        return path;
    }

    /// <summary>The 16-bit code a sample is written as.</summary>
    public static short ToPcm16(float s) => (short)Math.Clamp(Math.Round(s * 32767.0), -32768, 32767);
}
