using System.Buffers.Binary;
using Coala.ML.Audio;

namespace Coala.ML.Tests.Audio;

public sealed class WavReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<WavEncoding, int, int, bool> Formats()
    {
        var data = new TheoryData<WavEncoding, int, int, bool>();
        int[] rates = [8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000];
        int r = 0;
        foreach (WavEncoding e in Enum.GetValues<WavEncoding>())
            foreach (int channels in new[] { 1, 2, 6 })
                foreach (bool extensible in new[] { false, true })
                    data.Add(e, channels, rates[r++ % rates.Length], extensible);
        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DecodesEveryEncodingChannelCountAndRateToTheChannelMean(WavEncoding encoding, int channels, int rate, bool extensible)
    {
        int frames = rate / 10 + 3;
        var bytes = WavBuilder.Wav(WavBuilder.Interleaved(frames, channels, rate), encoding, channels, rate, extensible);
        string path = _dir.Write($"{encoding}_{channels}ch_{rate}{(extensible ? "_ext" : "")}.wav", bytes);

        var clip = AudioReader.Read(path);

        Assert.Equal(rate, clip.SampleRate);
        Assert.Equal(path, clip.Source);
        Assert.Equal(frames, clip.Samples.Length);
        double tolerance = WavBuilder.Step(encoding) + 1e-6;
        for (int f = 0; f < frames; f++)
        {
            double expected = WavBuilder.Mono(f, channels, rate);
            Assert.True(Math.Abs(clip.Samples[f] - expected) <= tolerance,
                $"frame {f}: decoded {clip.Samples[f]}, expected {expected} +- {tolerance}");
        }
    }

    [Fact]
    public void SourceReportsLayoutAndTotalFrames()
    {
        var bytes = WavBuilder.Wav(WavBuilder.Interleaved(1000, 2, 48000), WavEncoding.Pcm16, 2, 48000);
        using var source = AudioReader.Open(_dir.Write("layout.wav", bytes));
        Assert.Equal(48000, source.SampleRate);
        Assert.Equal(2, source.Channels);
        Assert.Equal(1000, source.TotalFrames);
    }

    [Fact]
    public void VectorisedPcm16ConversionEqualsTheScalarDivisionForEveryValue()
    {
        var all = new short[65536 + 7];   // every 16-bit value, and a tail that is no whole vector
        for (int i = 0; i < all.Length; i++) all[i] = unchecked((short)(i - 32768));
        var fast = new float[all.Length];
        WavSource.Pcm16ToFloat(all, fast);
        for (int i = 0; i < all.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(all[i] / 32768f), BitConverter.SingleToInt32Bits(fast[i]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MixingToMonoIsTheChannelMeanSummedInChannelOrder(int channels)
    {
        var rng = new Random(channels);
        var interleaved = new double[999 * channels];
        for (int i = 0; i < interleaved.Length; i++) interleaved[i] = rng.NextDouble() * 2 - 1;
        interleaved[0] = -0.0;
        var clip = AudioReader.Read(new MemoryStream(WavBuilder.Wav(interleaved, WavEncoding.Float32, channels, 8000)), "mix.wav");
        for (int f = 0; f < 999; f++)
        {
            float sum = 0f;
            for (int c = 0; c < channels; c++) sum += (float)interleaved[f * channels + c];
            Assert.Equal(BitConverter.SingleToInt32Bits(sum * (1f / channels)), BitConverter.SingleToInt32Bits(clip.Samples[f]));
        }
    }

    [Fact]
    public void EightBitIsUnsignedWith128AsZero()
    {
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm8, 1, 8000)),
            WavBuilder.Chunk("data", [0, 64, 128, 192, 255]));
        var clip = AudioReader.Read(new MemoryStream(bytes), "u8.wav");
        Assert.Equal([-1f, -0.5f, 0f, 0.5f, 127f / 128], clip.Samples);
    }

    [Fact]
    public void ExtremeIntegerValuesMapToMinusOneAndJustBelowOne()
    {
        var data = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(data, int.MinValue);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4), int.MaxValue);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 1 << 30);
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm32, 1, 8000)), WavBuilder.Chunk("data", data));
        var s = AudioReader.Read(new MemoryStream(bytes), "s32.wav").Samples;
        Assert.Equal(-1f, s[0]);
        Assert.Equal(1f, s[1], 1e-6);
        Assert.Equal(0.5f, s[2]);
    }

    [Fact]
    public void Extensible24BitSamplesIn32BitContainersDecode()
    {
        var x = WavBuilder.Interleaved(500, 2, 44100);
        var fmt = WavBuilder.Fmt(WavEncoding.Pcm32, 2, 44100, extensible: true, validBits: 24);
        var clip = AudioReader.Read(new MemoryStream(WavBuilder.Riff(WavBuilder.Chunk("fmt ", fmt),
            WavBuilder.Chunk("data", WavBuilder.EncodeSamples(x, WavEncoding.Pcm32)))), "ext24in32.wav");
        for (int f = 0; f < 500; f++)
            Assert.Equal(WavBuilder.Mono(f, 2, 44100), clip.Samples[f], 1e-6);
    }

    [Fact]
    public void WalksUnknownChunksWithOddSizesAndPadding()
    {
        var x = WavBuilder.Interleaved(300, 1, 16000);
        var bytes = WavBuilder.Riff(
            WavBuilder.Chunk("JUNK", new byte[3]),                       // odd: one padding byte follows
            WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm16, 1, 16000)),
            WavBuilder.Chunk("LIST", "INFOISFT\u0005\0\0\0abcde"u8.ToArray()),  // odd again
            WavBuilder.Chunk("data", WavBuilder.EncodeSamples(x, WavEncoding.Pcm16)),
            WavBuilder.Chunk("id3 ", new byte[7]));                      // after data: must not be read as audio
        var clip = AudioReader.Read(_dir.Write("chunks.wav", bytes));
        Assert.Equal(300, clip.Samples.Length);
        Assert.Equal(x[299], clip.Samples[299], 1.0 / 32768);
    }

    [Fact]
    public void FmtChunkOf18BytesWithCbSizeIsAccepted()
    {
        var fmt = WavBuilder.Fmt(WavEncoding.Float32, 1, 8000).Concat(new byte[2]).ToArray();
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", fmt), WavBuilder.Chunk("data", WavBuilder.EncodeSamples([0.25, -0.5], WavEncoding.Float32)));
        Assert.Equal([0.25f, -0.5f], AudioReader.Read(new MemoryStream(bytes), "fmt18.wav").Samples);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void DataSize0OrMaxMeansUpToTheEndOfTheFile(uint declared)
    {
        var x = WavBuilder.Interleaved(250, 2, 8000);
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm16, 2, 8000)),
            WavBuilder.Chunk("data", WavBuilder.EncodeSamples(x, WavEncoding.Pcm16), declared));
        using var source = AudioReader.Open(_dir.Write("streamed.wav", bytes));
        Assert.Equal(250, source.TotalFrames);
        var clip = AudioReader.ReadAll(source);
        Assert.Equal(250, clip.Samples.Length);
        Assert.Equal(WavBuilder.Mono(249, 2, 8000), clip.Samples[249], 1e-4);
    }

    [Fact]
    public void DataShorterThanDeclaredDecodesTheWholeFramesPresent()
    {
        var x = WavBuilder.Interleaved(400, 2, 8000);
        var data = WavBuilder.EncodeSamples(x, WavEncoding.Pcm24);
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm24, 2, 8000)),
            WavBuilder.Chunk("data", data, declaredSize: 1000 * 6));
        bytes = bytes[..(bytes.Length - 4)];   // 399 whole frames and a partial one
        var clip = AudioReader.Read(_dir.Write("cut.wav", bytes));
        Assert.Equal(399, clip.Samples.Length);
        Assert.Equal(WavBuilder.Mono(398, 2, 8000), clip.Samples[398], 1e-5);
    }

    [Fact]
    public void StreamsInSmallPiecesFromANonSeekableStreamWithTheSameResult()
    {
        var x = WavBuilder.Interleaved(5000, 6, 22050);
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("LIST", new byte[1001]),
            WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Float32, 6, 22050, extensible: true)),
            WavBuilder.Chunk("data", WavBuilder.EncodeSamples(x, WavEncoding.Float32)));
        var whole = AudioReader.Read(new MemoryStream(bytes), "whole.wav").Samples;

        var input = new NonSeekableStream(bytes);
        using var source = AudioReader.Open(input, "pipe.wav");
        Assert.Equal(5000, source.TotalFrames);   // from the data chunk size; the stream has no length
        var pieces = new List<float>();
        var buffer = new float[7];
        int got;
        while ((got = source.ReadMono(buffer)) > 0)
            pieces.AddRange(buffer.AsSpan(0, got).ToArray());
        Assert.Equal(whole, pieces);
        Assert.Equal(0, source.ReadMono(buffer));
        source.Dispose();
        Assert.False(input.Disposed);   // the caller's stream stays the caller's
    }

    [Fact]
    public void FormatIsRecognisedFromContentNotExtension()
    {
        var bytes = WavBuilder.Wav(WavBuilder.Interleaved(100, 1, 8000), WavEncoding.Pcm16, 1, 8000);
        Assert.Equal(100, AudioReader.Read(_dir.Write("actually_wav.mp3", bytes)).Samples.Length);
    }

    [Fact]
    public void ReadsRealFsddRecordings()
    {
        string folder = TestData.FsddRecordings();
        foreach (string name in new[] { "0_george_0.wav", "7_jackson_12.wav", "9_theo_49.wav" })
        {
            string path = Path.Combine(folder, name);
            byte[] file = File.ReadAllBytes(path);
            var clip = AudioReader.Read(path);

            Assert.Equal(8000, clip.SampleRate);
            // Independent check: the 16-bit samples right after the 'data' chunk header.
            int data = file.AsSpan().IndexOf("data"u8);
            int count = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(data + 4)), (uint)(file.Length - data - 8)) / 2;
            Assert.Equal(count, clip.Samples.Length);
            for (int i = 0; i < count; i += 97)
                Assert.Equal(BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(data + 8 + 2 * i)) / 32768f, clip.Samples[i]);
            Assert.InRange(clip.DurationSeconds, 0.1, 3.0);
            Assert.True(clip.Samples.Max(Math.Abs) > 0.01, $"{name} is silent");
        }
    }
}
