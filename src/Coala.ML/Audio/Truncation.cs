using System.Buffers.Binary;
using System.Globalization;

namespace Coala.ML.Audio;

/// <summary>
/// Whether an MPEG audio file ends inside a frame: walks the frame headers from the first frame (after an ID3v2 tag)
/// to the end of the file. A Xing/Info header's frame count, when the first frame has one, says how much is missing.
/// </summary>
internal static class MpegFrames
{
    // Bit rates in kbit/s by [version (0: MPEG-1, 1: MPEG-2/2.5)][layer - 1][index].
    private static readonly int[][][] BitRates =
    [
        [
            [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
            [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
            [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        ],
        [
            [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ],
    ];

    private static readonly int[] Rates = [44100, 48000, 32000];

    /// <summary>A frame header's length in bytes and samples, or null when <paramref name="h"/> is not one (or is free-format).</summary>
    internal static (int Bytes, int Samples)? Frame(uint h)
    {
        if ((h & 0xFFE00000) != 0xFFE00000) return null;
        int version = (int)(h >> 19) & 3;           // 0: 2.5, 2: 2, 3: 1
        int layer = 4 - ((int)(h >> 17) & 3);       // 1..3
        int bitIndex = (int)(h >> 12) & 15, rateIndex = (int)(h >> 10) & 3, padding = (int)(h >> 9) & 1;
        if (version == 1 || layer == 4 || bitIndex is 0 or 15 || rateIndex == 3) return null;
        int rate = Rates[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
        int kbps = BitRates[version == 3 ? 0 : 1][layer - 1][bitIndex];
        if (layer == 1) return ((12 * kbps * 1000 / rate + padding) * 4, 384);
        bool lsf = version != 3 && layer == 3;
        return ((lsf ? 72 : 144) * kbps * 1000 / rate + padding, lsf ? 576 : 1152);
    }

    public static string? DescribeTruncation(Stream stream, int sampleRate, Func<double, string> seconds)
    {
        long length = stream.Length;
        long pos = 0;
        var head = new byte[10];
        stream.Position = 0;
        if (stream.ReadAtLeast(head, 10, throwOnEndOfStream: false) == 10 && head[0] == 'I' && head[1] == 'D' && head[2] == '3')
            pos = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)) + ((head[5] & 0x10) != 0 ? 10 : 0);
        long frames = 0, firstFrame = -1;
        int samplesPerFrame = 1152;
        var header = new byte[4];
        while (pos + 4 <= length)
        {
            stream.Position = pos;
            stream.ReadExactly(header);
            if (Frame(BinaryPrimitives.ReadUInt32BigEndian(header)) is not { } f)
                return null;   // a tag at the end (ID3v1, APE, Lyrics), junk or free format: nothing cut here that can be told
            if (firstFrame < 0) { firstFrame = pos; samplesPerFrame = f.Samples; }
            if (pos + f.Bytes > length)
            {
                string missing = $"{pos + f.Bytes - length} bytes of its last frame";
                if (Declared(stream, firstFrame) is long declared && declared > frames + 1)
                    missing = $"{declared - frames} of the {declared} frames its Xing/Info header declares: {seconds((double)(declared - frames) * samplesPerFrame)} of audio";
                return $"truncated: the MP3 file ends inside a frame; {missing} missing";
            }
            frames++;
            pos += f.Bytes;
        }
        if (pos < length) return null;
        if (firstFrame >= 0 && Declared(stream, firstFrame) is long d && d > frames)
            return $"truncated: the MP3 file holds {frames} of the {d} frames its Xing/Info header declares: {seconds((double)(d - frames) * samplesPerFrame)} of audio missing";
        return null;
    }

    /// <summary>The frame count of a Xing/Info header in the frame at <paramref name="at"/>, if any (the header frame not counted).</summary>
    private static long? Declared(Stream stream, long at)
    {
        var frame = new byte[200];
        stream.Position = at;
        int got = stream.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false);
        var span = frame.AsSpan(0, got);
        int tag = span.IndexOf("Xing"u8);
        if (tag < 0) tag = span.IndexOf("Info"u8);
        if (tag < 0 || tag + 12 > got || (span[tag + 7] & 1) == 0) return null;
        return BinaryPrimitives.ReadUInt32BigEndian(span[(tag + 8)..]) + 1L;
    }
}

/// <summary>
/// Whether an Ogg file ends with a whole end-of-stream page: a file cut in half ends inside a page or after a page
/// that is not the last. Only the last 64 KB are read (a page is at most 65,307 bytes).
/// </summary>
internal static class OggPages
{
    private const int Tail = 65_536 + 1024;

    public static string? DescribeTruncation(Stream stream)
    {
        long length = stream.Length;
        int n = (int)Math.Min(length, Tail);
        var tail = new byte[n];
        stream.Position = length - n;
        stream.ReadExactly(tail);
        // The last page start whose header is plausible (version 0, its segment table inside the tail).
        for (int at = n - 27; at >= 0; at--)
        {
            if (tail[at] != 'O' || tail[at + 1] != 'g' || tail[at + 2] != 'g' || tail[at + 3] != 'S' || tail[at + 4] != 0) continue;
            int segments = tail[at + 26];
            if (at + 27 + segments > n)
                return $"truncated: the Ogg file ends inside a page header";
            long body = 0;
            for (int s = 0; s < segments; s++) body += tail[at + 27 + s];
            long end = at + 27 + segments + body;
            if (end > n)
                return string.Create(CultureInfo.InvariantCulture, $"truncated: the Ogg file ends inside a page ({end - n} bytes of it missing; how much audio follows cannot be told)");
            if (end < n) return null;   // something after the last page (not Ogg): not a cut
            return (tail[at + 5] & 0x04) == 0
                ? "truncated: the Ogg file ends without its end-of-stream page (how much audio is missing cannot be told)"
                : null;
        }
        return null;
    }
}
