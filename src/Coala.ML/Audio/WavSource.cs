using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Coala.ML.Audio;

/// <summary>
/// RIFF/WAVE decoder: walks the chunks (odd sizes are padded), reads 'fmt ' (PCM 8-bit unsigned,
/// 16/24/32-bit signed, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE with either as SubFormat) and streams
/// the 'data' chunk. A 'data' size of 0 or 0xFFFFFFFF means "up to the end of the file"; data shorter
/// than declared is decoded up to its last whole frame.
/// </summary>
internal sealed class WavSource : AudioSource
{
    private const ushort FormatPcm = 0x0001;
    private const ushort FormatIeeeFloat = 0x0003;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>The common tail of every KSDATAFORMAT_SUBTYPE GUID: {xxxxxxxx-0000-0010-8000-00AA00389B71}.</summary>
    private static readonly byte[] SubFormatTail =
        [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly bool _isFloat;
    private readonly int _bytesPerSample;
    private readonly int _blockAlign;
    private readonly long? _dataBytes;   // null: up to the end of the file
    private readonly long? _totalFrames;
    private long _dataRead;
    private byte[] _raw = [];

    public override int SampleRate { get; }
    public override int Channels { get; }
    public override long? TotalFrames => _totalFrames;

    /// <summary>Parses the header; the stream is left at the first sample.</summary>
    public WavSource(Stream stream, string source, bool ownsStream) : base(source, "WAV")
    {
        _stream = stream;
        _ownsStream = ownsStream;

        Span<byte> riff = stackalloc byte[12];
        ReadHeader(riff, "the RIFF header");
        if (!riff[..4].SequenceEqual("RIFF"u8) || !riff[8..12].SequenceEqual("WAVE"u8))
            throw Corrupt("not a RIFF/WAVE header");

        Format? format = null;
        Span<byte> chunk = stackalloc byte[8];
        while (true)
        {
            if (!TryReadHeader(chunk))
                throw Corrupt(format is null ? "no 'fmt ' chunk before the end of the file" : "no 'data' chunk before the end of the file");
            string id = AudioFormatDetector.Ascii(chunk[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);

            if (id == "fmt ")
            {
                if (size < 16 || size > 1024)
                    throw Corrupt($"'fmt ' chunk has an invalid size of {size} bytes");
                var body = new byte[size + (size & 1)];
                ReadHeader(body, "the 'fmt ' chunk");
                format = ParseFormat(body.AsSpan(0, (int)size));
            }
            else if (id == "data")
            {
                if (format is null)
                    throw Corrupt("'data' chunk comes before the 'fmt ' chunk");
                _dataBytes = size is 0 or uint.MaxValue ? null : size;
                break;
            }
            else
            {
                Skip(size + (size & 1L), id);
            }
        }

        var f = format.Value;
        Channels = f.Channels;
        SampleRate = f.SampleRate;
        _isFloat = f.IsFloat;
        _bytesPerSample = f.BytesPerSample;
        _blockAlign = f.BlockAlign;
        _totalFrames = CountFrames();
    }

    private readonly record struct Format(int Channels, int SampleRate, int BlockAlign, int BytesPerSample, bool IsFloat);

    private Format ParseFormat(ReadOnlySpan<byte> fmt)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        ushort codec = tag;
        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40 || BinaryPrimitives.ReadUInt16LittleEndian(fmt[16..]) < 22)
                throw Corrupt("WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is too short for its SubFormat GUID");
            ReadOnlySpan<byte> guid = fmt.Slice(24, 16);
            if (!guid[4..].SequenceEqual(SubFormatTail))
                throw new CoalaException(
                    $"WAV WAVE_FORMAT_EXTENSIBLE SubFormat {new Guid(guid)} is not supported (supported: PCM, IEEE float)", Source);
            codec = BinaryPrimitives.ReadUInt16LittleEndian(guid);
        }

        if (codec != FormatPcm && codec != FormatIeeeFloat)
            throw new CoalaException(
                $"WAV codec 0x{codec:X4}{CodecName(codec)} is not supported (supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit)", Source);

        CheckLayout(channels, rate, "WAV", Source);

        bool isFloat = codec == FormatIeeeFloat;
        int bytesPerSample = (bits + 7) / 8;
        bool bitsOk = isFloat ? bits is 32 or 64 : bits is >= 1 and <= 32;
        if (!bitsOk)
            throw new CoalaException(
                $"WAV {(isFloat ? "IEEE float" : "PCM")} with {bits} bits per sample is not supported " +
                $"(supported: {(isFloat ? "32 or 64" : "8, 16, 24 or 32")})", Source);
        if (blockAlign != channels * bytesPerSample)
            throw Corrupt($"block align {blockAlign} does not match {channels} channels x {bits} bits " +
                          $"(expected {channels * bytesPerSample}); the header is corrupt");

        return new Format(channels, (int)rate, blockAlign, bytesPerSample, isFloat);
    }

    private long? CountFrames()
    {
        long? available = null;
        if (_stream.CanSeek)
        {
            try { available = _stream.Length - _stream.Position; }
            catch (NotSupportedException) { }
        }

        long? bytes = (_dataBytes, available) switch
        {
            (long d, long a) => Math.Min(d, a),
            (long d, null) => d,
            (null, long a) => a,
            _ => null,
        };
        return bytes / _blockAlign;
    }

    protected override string? DescribeTruncation() =>
        _dataBytes is long declared && _dataRead < declared
            ? $"truncated: the WAV 'data' chunk declares {declared} bytes, the file holds {_dataRead}: {Seconds((double)(declared - _dataRead) / _blockAlign)} of audio missing"
            : null;

    protected override string NoFramesMessage => _dataBytes is > 0
        ? $"WAV 'data' chunk declares {_dataBytes} bytes but the file ends after {_dataRead} (less than one {_blockAlign}-byte frame): the file is truncated"
        : "WAV 'data' chunk contains no audio samples";

    protected override int ReadInterleaved(Span<float> destination)
    {
        long frames = destination.Length / Channels;
        if (_dataBytes is long limit)
            frames = Math.Min(frames, (limit - _dataRead) / _blockAlign);
        if (frames <= 0)
            return 0;

        int want = (int)frames * _blockAlign;
        if (_raw.Length < want)
            _raw = new byte[want];
        int got = _stream.ReadAtLeast(_raw.AsSpan(0, want), want, throwOnEndOfStream: false);
        _dataRead += got;
        int samples = got / _blockAlign * Channels;   // a trailing partial frame is dropped: the file ends there
        Convert(_raw.AsSpan(0, samples * _bytesPerSample), destination[..samples]);
        return samples;
    }

    /// <summary>
    /// s / 32768 for each sample, a vector at a time (the most common WAV layout; dividing by a power of two is exact,
    /// so this equals the scalar path bit for bit).
    /// </summary>
    internal static void Pcm16ToFloat(ReadOnlySpan<short> pcm, Span<float> output)
    {
        const float scale = 1f / 32768f;
        int i = 0;
        int w = Vector<short>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vscale = new Vector<float>(scale);
            int half = Vector<int>.Count;
            for (; i + w <= pcm.Length; i += w)
            {
                Vector.Widen(new Vector<short>(pcm.Slice(i, w)), out Vector<int> lo, out Vector<int> hi);
                (Vector.ConvertToSingle(lo) * vscale).CopyTo(output.Slice(i, half));
                (Vector.ConvertToSingle(hi) * vscale).CopyTo(output.Slice(i + half, half));
            }
        }
        for (; i < pcm.Length; i++) output[i] = pcm[i] * scale;
    }

    private void Convert(ReadOnlySpan<byte> raw, Span<float> output)
    {
        switch (_bytesPerSample, _isFloat)
        {
            case (1, false):
                for (int i = 0; i < output.Length; i++)
                    output[i] = (raw[i] - 128) / 128f;
                break;
            case (2, false) when BitConverter.IsLittleEndian:
                Pcm16ToFloat(MemoryMarshal.Cast<byte, short>(raw), output);
                break;
            case (2, false):
                for (int i = 0; i < output.Length; i++)
                    output[i] = BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]) / 32768f;
                break;
            case (3, false):
                for (int i = 0, b = 0; i < output.Length; i++, b += 3)
                    output[i] = ((raw[b] << 8 | raw[b + 1] << 16 | raw[b + 2] << 24) >> 8) / 8388608f;
                break;
            case (4, false):
                for (int i = 0; i < output.Length; i++)
                    output[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]) / 2147483648.0);
                break;
            case (4, true):
                for (int i = 0; i < output.Length; i++)
                    output[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                break;
            case (8, true):
                for (int i = 0; i < output.Length; i++)
                    output[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]);
                break;
            default:
                throw new InvalidOperationException("unreachable: format validated in the header");
        }
    }

    private void ReadHeader(Span<byte> buffer, string what)
    {
        if (_stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw Corrupt($"the file ends inside {what}");
    }

    private bool TryReadHeader(Span<byte> buffer)
    {
        int got = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got != 0 && got < buffer.Length)
            throw Corrupt("the file ends inside a chunk header");
        return got != 0;
    }

    private void Skip(long bytes, string id)
    {
        if (_stream.CanSeek)
        {
            if (_stream.Position + bytes > _stream.Length)
                throw Corrupt($"chunk '{id}' of {bytes} bytes runs past the end of the file, before any 'data' chunk");
            _stream.Seek(bytes, SeekOrigin.Current);
            return;
        }

        var scratch = new byte[(int)Math.Min(bytes, 81920)];
        while (bytes > 0)
        {
            int got = _stream.Read(scratch, 0, (int)Math.Min(bytes, scratch.Length));
            if (got == 0)
                throw Corrupt($"chunk '{id}' runs past the end of the file, before any 'data' chunk");
            bytes -= got;
        }
    }

    private CoalaException Corrupt(string what) => new($"truncated or corrupt WAV header: {what}", Source);

    private static string CodecName(ushort codec) => codec switch
    {
        0x0002 => " (Microsoft ADPCM)",
        0x0006 => " (A-law)",
        0x0007 => " (mu-law)",
        0x0011 => " (IMA ADPCM)",
        0x0022 => " (TrueSpeech)",
        0x0031 => " (GSM 6.10)",
        0x0050 => " (MPEG)",
        0x0055 => " (MPEG Layer 3)",
        0x00FF => " (AAC)",
        0x0161 or 0x0162 or 0x0163 => " (Windows Media Audio)",
        0x2000 => " (AC-3)",
        0xF1AC => " (FLAC)",
        >= 0x674F and <= 0x6751 or >= 0x676F and <= 0x6771 => " (Ogg Vorbis inside WAV)",
        _ => "",
    };

    protected override void DisposeDecoder()
    {
        if (_ownsStream)
            _stream.Dispose();
    }
}
