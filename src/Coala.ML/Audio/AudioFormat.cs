namespace Coala.ML.Audio;

/// <summary>The containers/codecs <see cref="AudioReader"/> decodes.</summary>
internal enum AudioFormat
{
    Wav,
    Mp3,
    OggVorbis,
}

/// <summary>Recognises the audio format from the first bytes of the content (never from the file name).</summary>
internal static class AudioFormatDetector
{
    /// <summary>Bytes <see cref="Detect"/> wants to see: enough for an Ogg page header with a full segment table.</summary>
    public const int PeekBytes = 512;

    private const string Supported = "supported: WAV, MP3, Ogg Vorbis";

    /// <summary>Returns the format of content starting with <paramref name="head"/>, or throws a <see cref="CoalaException"/> naming what it is.</summary>
    public static AudioFormat Detect(ReadOnlySpan<byte> head, string source)
    {
        if (head.Length == 0)
            throw new CoalaException("file is empty (0 bytes)", source);

        if (StartsWith(head, "RIFF"u8))
        {
            if (head.Length < 12)
                throw new CoalaException($"truncated or corrupt WAV header: only {head.Length} bytes", source);
            if (head[8..12].SequenceEqual("WAVE"u8))
                return AudioFormat.Wav;
            throw Unsupported($"RIFF file of type '{Ascii(head[8..12])}' is not audio this reader knows", source);
        }
        if (StartsWith(head, "RIFX"u8))
            throw Unsupported("big-endian (RIFX) WAV audio is not supported", source);
        if (StartsWith(head, "RF64"u8) || StartsWith(head, "BW64"u8))
            throw Unsupported("RF64/BW64 (64-bit WAV) audio is not supported", source);

        if (StartsWith(head, "OggS"u8))
            return DetectOgg(head, source);

        if (StartsWith(head, "ID3"u8))
            return AudioFormat.Mp3;
        if (head.Length >= 4 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            int layer = (head[1] >> 1) & 3;
            if (layer == 0 && (head[1] & 0xF6) == 0xF0)
                throw Unsupported("AAC (ADTS) audio is not supported", source);
            int bitrate = head[2] >> 4, rate = (head[2] >> 2) & 3, version = (head[1] >> 3) & 3;
            if (layer != 0 && version != 1 && bitrate != 15 && rate != 3)
                return AudioFormat.Mp3;
        }

        if (StartsWith(head, "fLaC"u8))
            throw Unsupported("FLAC audio is not supported", source);
        if (StartsWith(head, "FORM"u8) && head.Length >= 12 && (head[8..12].SequenceEqual("AIFF"u8) || head[8..12].SequenceEqual("AIFC"u8)))
            throw Unsupported("AIFF audio is not supported", source);
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8))
            throw Unsupported("MP4/M4A (AAC or ALAC) audio is not supported", source);
        if (StartsWith(head, [0x1A, 0x45, 0xDF, 0xA3]))
            throw Unsupported("Matroska/WebM audio is not supported", source);
        if (StartsWith(head, "#!AMR"u8))
            throw Unsupported("AMR audio is not supported", source);
        if (StartsWith(head, "caff"u8))
            throw Unsupported("Core Audio (CAF) audio is not supported", source);
        if (StartsWith(head, ".snd"u8))
            throw Unsupported("Sun/NeXT AU audio is not supported", source);
        if (StartsWith(head, "MAC "u8))
            throw Unsupported("Monkey's Audio (APE) is not supported", source);
        if (StartsWith(head, "wvpk"u8))
            throw Unsupported("WavPack audio is not supported", source);

        int shown = Math.Min(head.Length, 8);
        throw new CoalaException(
            $"unrecognised audio format (first bytes {Convert.ToHexString(head[..shown])}; {Supported})", source);
    }

    private static AudioFormat DetectOgg(ReadOnlySpan<byte> head, string source)
    {
        // Page header: 27 fixed bytes, byte 26 = segment count, then the segment table, then the first packet.
        if (head.Length < 27 || head.Length < 27 + head[26] + 8)
            throw new CoalaException($"truncated or corrupt Ogg header: only {head.Length} bytes", source);
        ReadOnlySpan<byte> packet = head[(27 + head[26])..];
        if (StartsWith(packet, "\u0001vorbis"u8))
            return AudioFormat.OggVorbis;
        if (StartsWith(packet, "OpusHead"u8))
            throw Unsupported("Ogg Opus audio is not supported", source);
        if (StartsWith(packet, "\u007fFLAC"u8))
            throw Unsupported("Ogg FLAC audio is not supported", source);
        if (StartsWith(packet, "Speex   "u8))
            throw Unsupported("Ogg Speex audio is not supported", source);
        throw Unsupported($"Ogg stream with codec header '{Ascii(packet[..8])}' is not supported", source);
    }

    private static bool StartsWith(ReadOnlySpan<byte> data, ReadOnlySpan<byte> magic) => data.StartsWith(magic);

    /// <summary>Printable ASCII of a magic/chunk id, other bytes as '?'.</summary>
    internal static string Ascii(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        return new string(chars);
    }

    private static CoalaException Unsupported(string what, string source) => new($"{what} ({Supported})", source);
}
