using System.Buffers.Binary;
using System.Text;

namespace Coala.ML.Tests.Audio;

/// <summary>Sample encodings the tests write.</summary>
public enum WavEncoding { Pcm8, Pcm16, Pcm24, Pcm32, Float32, Float64 }

/// <summary>Writes WAV files byte by byte, independently of the reader under test.</summary>
internal static class WavBuilder
{
    public static int Bits(WavEncoding e) => e switch
    {
        WavEncoding.Pcm8 => 8,
        WavEncoding.Pcm16 => 16,
        WavEncoding.Pcm24 => 24,
        WavEncoding.Pcm32 or WavEncoding.Float32 => 32,
        _ => 64,
    };

    public static bool IsFloat(WavEncoding e) => e is WavEncoding.Float32 or WavEncoding.Float64;

    /// <summary>Largest error quantising a value in [-1, 1) to the encoding can cause.</summary>
    public static double Step(WavEncoding e) => e switch
    {
        WavEncoding.Pcm8 => 1.0 / 128,
        WavEncoding.Pcm16 => 1.0 / 32768,
        WavEncoding.Pcm24 => 1.0 / 8388608,
        WavEncoding.Pcm32 => 1.0 / 2147483648,
        _ => 1e-7,
    };

    /// <summary>Encodes interleaved samples [frame * channels + channel] in [-1, 1).</summary>
    public static byte[] EncodeSamples(double[] interleaved, WavEncoding e)
    {
        int bytes = Bits(e) / 8;
        var data = new byte[interleaved.Length * bytes];
        for (int i = 0; i < interleaved.Length; i++)
        {
            double v = interleaved[i];
            var dst = data.AsSpan(i * bytes, bytes);
            switch (e)
            {
                case WavEncoding.Pcm8:
                    dst[0] = (byte)Math.Clamp(Math.Round(v * 128) + 128, 0, 255);
                    break;
                case WavEncoding.Pcm16:
                    BinaryPrimitives.WriteInt16LittleEndian(dst, (short)Math.Clamp(Math.Round(v * 32768), short.MinValue, short.MaxValue));
                    break;
                case WavEncoding.Pcm24:
                    int s24 = (int)Math.Clamp(Math.Round(v * 8388608), -8388608, 8388607);
                    dst[0] = (byte)s24; dst[1] = (byte)(s24 >> 8); dst[2] = (byte)(s24 >> 16);
                    break;
                case WavEncoding.Pcm32:
                    BinaryPrimitives.WriteInt32LittleEndian(dst, (int)Math.Clamp(Math.Round(v * 2147483648.0), int.MinValue, int.MaxValue));
                    break;
                case WavEncoding.Float32:
                    BinaryPrimitives.WriteSingleLittleEndian(dst, (float)v);
                    break;
                case WavEncoding.Float64:
                    BinaryPrimitives.WriteDoubleLittleEndian(dst, v);
                    break;
            }
        }
        return data;
    }

    /// <summary>A 'fmt ' chunk body: plain (16 bytes) or WAVE_FORMAT_EXTENSIBLE (40 bytes) with the matching SubFormat GUID.</summary>
    public static byte[] Fmt(WavEncoding e, int channels, int rate, bool extensible = false,
        ushort? tag = null, int? blockAlign = null, int? bits = null, int? validBits = null)
    {
        int b = bits ?? Bits(e);
        int align = blockAlign ?? channels * ((b + 7) / 8);
        ushort codec = tag ?? (ushort)(IsFloat(e) ? 3 : 1);
        var fmt = new byte[extensible ? 40 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : codec);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(rate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)b);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)(validBits ?? b));
            BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), channels <= 32 ? (uint)((1L << channels) - 1) : 0);
            // KSDATAFORMAT_SUBTYPE_{PCM,IEEE_FLOAT}: {0000000X-0000-0010-8000-00AA00389B71}
            new Guid($"{codec:X8}-0000-0010-8000-00aa00389b71").TryWriteBytes(fmt.AsSpan(24));
        }
        return fmt;
    }

    public static byte[] Chunk(string id, ReadOnlySpan<byte> body, uint? declaredSize = null)
    {
        var chunk = new byte[8 + body.Length + (body.Length & 1)];
        Encoding.ASCII.GetBytes(id).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), declaredSize ?? (uint)body.Length);
        body.CopyTo(chunk.AsSpan(8));
        return chunk;
    }

    /// <summary>RIFF/WAVE file made of the given chunks, in order.</summary>
    public static byte[] Riff(params byte[][] chunks)
    {
        var body = chunks.SelectMany(c => c).ToArray();
        var file = new byte[12 + body.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(4 + body.Length));
        "WAVE"u8.CopyTo(file.AsSpan(8));
        body.CopyTo(file, 12);
        return file;
    }

    /// <summary>A complete, well-formed WAV file.</summary>
    public static byte[] Wav(double[] interleaved, WavEncoding e, int channels, int rate, bool extensible = false) =>
        Riff(Chunk("fmt ", Fmt(e, channels, rate, extensible)), Chunk("data", EncodeSamples(interleaved, e)));

    /// <summary>Channel c of frame i: a different tone per channel, amplitude 0.6 / channels-dependent offset, within [-0.9, 0.9].</summary>
    public static double Signal(int frame, int channel, int rate) =>
        0.6 * Math.Sin(2 * Math.PI * (110.0 * (channel + 1)) * frame / rate + channel) + 0.05 * (channel % 3) - 0.05;

    public static double[] Interleaved(int frames, int channels, int rate)
    {
        var x = new double[frames * channels];
        for (int f = 0; f < frames; f++)
            for (int c = 0; c < channels; c++)
                x[f * channels + c] = Signal(f, c, rate);
        return x;
    }

    /// <summary>The channel mean of <see cref="Signal"/>.</summary>
    public static double Mono(int frame, int channels, int rate)
    {
        double sum = 0;
        for (int c = 0; c < channels; c++)
            sum += Signal(frame, c, rate);
        return sum / channels;
    }
}
