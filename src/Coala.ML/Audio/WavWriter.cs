namespace Coala.ML.Audio;

/// <summary>Writes mono 16-bit PCM WAV files (benchmarks, tests, generated corpora).</summary>
public static class WavWriter
{
    /// <summary>Writes <paramref name="samples"/> (clipped to [-1, 1]) as 16-bit PCM at <paramref name="rate"/> Hz.</summary>
    public static string WritePcm16(string path, ReadOnlySpan<float> samples, int rate)
    {
        var codes = new short[samples.Length];
        for (int i = 0; i < codes.Length; i++) codes[i] = ToPcm16(samples[i]);
        File.WriteAllBytes(path, Pcm16(codes, rate));
        return path;
    }

    /// <summary>The bytes of a mono 16-bit PCM WAV file holding exactly these sample codes.</summary>
    public static byte[] Pcm16(ReadOnlySpan<short> codes, int rate)
    {
        using var ms = new MemoryStream(44 + codes.Length * 2);
        using (var w = new BinaryWriter(ms))
        {
            int dataBytes = codes.Length * 2;
            w.Write("RIFF"u8); w.Write(36 + dataBytes); w.Write("WAVE"u8);
            w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
            w.Write("data"u8); w.Write(dataBytes);
            foreach (var c in codes) w.Write(c);
        }
        return ms.ToArray();
    }

    /// <summary>The 16-bit code a sample is written as.</summary>
    public static short ToPcm16(float s) => (short)Math.Clamp(Math.Round(s * 32767.0), -32768, 32767);
}
