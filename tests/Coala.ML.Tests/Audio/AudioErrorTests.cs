using System.Buffers.Binary;
using Coala.ML.Audio;

namespace Coala.ML.Tests.Audio;

/// <summary>Every kind of bad input gives a <see cref="CoalaException"/> naming the file and the problem.</summary>
public sealed class AudioErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private CoalaException Fails(string name, byte[] bytes, string expectedInMessage)
    {
        string path = _dir.Write(name, bytes);
        var e = Assert.Throws<CoalaException>(() => AudioReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedInMessage, e.Message);
        return e;
    }

    private static byte[] Wav(byte[] fmt, byte[] data) => WavBuilder.Riff(WavBuilder.Chunk("fmt ", fmt), WavBuilder.Chunk("data", data));

    private static byte[] Pcm16Fmt(int channels = 1, int rate = 8000, int? blockAlign = null, int? bits = null) =>
        WavBuilder.Fmt(WavEncoding.Pcm16, channels, rate, blockAlign: blockAlign, bits: bits);

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(_dir.Path, "nope.wav");
        var e = Assert.Throws<CoalaException>(() => AudioReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Message);
        Assert.Throws<CoalaException>(() => AudioReader.Open(path));
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        var e = Assert.Throws<CoalaException>(() => AudioReader.Read(_dir.Path));
        Assert.Equal(_dir.Path, e.FilePath);
        Assert.Contains("directory", e.Message);
    }

    [Fact]
    public void EmptyFile() => Fails("empty.wav", [], "empty (0 bytes)");

    [Fact]
    public void EmptyStreamNamesTheSource()
    {
        var e = Assert.Throws<CoalaException>(() => AudioReader.Read(new MemoryStream(), "upload-42"));
        Assert.Equal("upload-42", e.FilePath);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void HeaderCutInsideFmt() =>
        Fails("cut_fmt.wav", Wav(Pcm16Fmt(), new byte[100])[..30], "truncated or corrupt WAV header");

    [Fact]
    public void HeaderCutInsideRiff() => Fails("cut_riff.wav", "RIFF\0\0"u8.ToArray(), "truncated or corrupt WAV header");

    [Fact]
    public void NoDataChunk() =>
        Fails("nodata.wav", WavBuilder.Riff(WavBuilder.Chunk("fmt ", Pcm16Fmt())), "no 'data' chunk");

    [Fact]
    public void DataBeforeFmt() =>
        Fails("order.wav", WavBuilder.Riff(WavBuilder.Chunk("data", new byte[8]), WavBuilder.Chunk("fmt ", Pcm16Fmt())), "before the 'fmt ' chunk");

    [Fact]
    public void ChunkRunningPastTheEndBeforeData() =>
        Fails("bigjunk.wav", WavBuilder.Riff(WavBuilder.Chunk("fmt ", Pcm16Fmt()), WavBuilder.Chunk("JUNK", new byte[4], declaredSize: 1_000_000)),
            "runs past the end of the file");

    [Fact]
    public void ZeroAudioSamples() => Fails("silent_nothing.wav", Wav(Pcm16Fmt(), []), "no audio samples");

    [Fact]
    public void DataClaimsMoreButNotOneWholeFrameIsPresent()
    {
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", Pcm16Fmt(channels: 2)), WavBuilder.Chunk("data", new byte[3], declaredSize: 4000));
        Fails("one_byte_short.wav", bytes[..^1], "truncated");
    }

    [Fact]
    public void NanSampleNamesItsFrame()
    {
        var x = new double[200];
        x[2 * 37 + 1] = double.NaN;   // stereo, frame 37, right channel
        var e = Fails("nan.wav", Wav(WavBuilder.Fmt(WavEncoding.Float32, 2, 8000), WavBuilder.EncodeSamples(x, WavEncoding.Float32)), "NaN/Inf sample at frame 37");
        Assert.Contains("channel 1", e.Message);
    }

    [Fact]
    public void InfiniteSampleNamesItsFrame()
    {
        var x = new double[10_000];
        x[9_000] = double.NegativeInfinity;
        Fails("inf.wav", Wav(WavBuilder.Fmt(WavEncoding.Float64, 1, 8000), WavBuilder.EncodeSamples(x, WavEncoding.Float64)), "NaN/Inf sample at frame 9000");
    }

    [Fact]
    public void NanIsReportedWhileStreamingToo()
    {
        var x = new double[100];
        x[50] = double.NaN;
        string path = _dir.Write("nan_stream.wav", Wav(WavBuilder.Fmt(WavEncoding.Float32, 1, 8000), WavBuilder.EncodeSamples(x, WavEncoding.Float32)));
        using var source = AudioReader.Open(path);
        var buffer = new float[40];
        Assert.Equal(40, source.ReadMono(buffer));
        var e = Assert.Throws<CoalaException>(() => source.ReadMono(buffer));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("frame 50", e.Message);
    }

    [Theory]
    [InlineData((ushort)0x0011, "WAV codec 0x0011 (IMA ADPCM) is not supported")]
    [InlineData((ushort)0x0002, "WAV codec 0x0002 (Microsoft ADPCM) is not supported")]
    [InlineData((ushort)0x0007, "WAV codec 0x0007 (mu-law) is not supported")]
    [InlineData((ushort)0x674F, "WAV codec 0x674F (Ogg Vorbis inside WAV) is not supported")]
    [InlineData((ushort)0x1234, "WAV codec 0x1234 is not supported")]
    public void UnsupportedWavCodec(ushort tag, string message) =>
        Fails($"codec{tag:X4}.wav", Wav(WavBuilder.Fmt(WavEncoding.Pcm16, 1, 8000, tag: tag), new byte[64]), message);

    [Fact]
    public void UnsupportedExtensibleSubformat()
    {
        var fmt = WavBuilder.Fmt(WavEncoding.Pcm16, 2, 8000, extensible: true);
        new Guid("6dba3190-67bd-11cf-a0f7-0020afd156e4").TryWriteBytes(fmt.AsSpan(24));  // an AC-3 SPDIF subtype
        Fails("ext_ac3.wav", Wav(fmt, new byte[64]), "SubFormat 6dba3190-67bd-11cf-a0f7-0020afd156e4 is not supported");
    }

    [Fact]
    public void ExtensibleSubformatOfAnUnsupportedCodec()
    {
        var fmt = WavBuilder.Fmt(WavEncoding.Pcm16, 1, 8000, extensible: true, tag: 0x0006);
        Fails("ext_alaw.wav", Wav(fmt, new byte[64]), "WAV codec 0x0006 (A-law) is not supported");
    }

    [Theory]
    [InlineData(0, 8000, "0 channels")]
    [InlineData(2000, 8000, "2000 channels")]
    [InlineData(1, 0, "sample rate of 0 Hz")]
    [InlineData(1, 800_000, "sample rate of 800000 Hz")]
    [InlineData(1, 1, "sample rate of 1 Hz")]       // a few KB would expand to hours at 22 kHz
    [InlineData(1, 999, "sample rate of 999 Hz")]
    public void AbsurdChannelCountOrRate(int channels, int rate, string message) =>
        Fails($"absurd_{channels}_{rate}.wav", Wav(Pcm16Fmt(channels, rate, blockAlign: 2), new byte[64]), message);

    [Fact]
    public void SampleRateAboveIntRange()
    {
        var fmt = Pcm16Fmt();
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), 0xFFFFFFF0);
        Fails("rate_huge.wav", Wav(fmt, new byte[64]), "sample rate of 4294967280 Hz");
    }

    [Fact]
    public void BlockAlignInconsistentWithChannelsAndBits() =>
        Fails("align.wav", Wav(Pcm16Fmt(channels: 2, blockAlign: 3), new byte[64]), "block align 3 does not match 2 channels x 16 bits");

    [Theory]
    [InlineData(WavEncoding.Float32, 16, "IEEE float with 16 bits per sample is not supported")]
    [InlineData(WavEncoding.Pcm16, 40, "PCM with 40 bits per sample is not supported")]
    [InlineData(WavEncoding.Pcm16, 0, "PCM with 0 bits per sample is not supported")]
    public void UnsupportedBitDepth(WavEncoding encoding, int bits, string message) =>
        Fails($"bits{bits}.wav", Wav(WavBuilder.Fmt(encoding, 1, 8000, bits: bits, blockAlign: Math.Max(1, bits / 8)), new byte[64]), message);

    [Fact]
    public void Flac() => Fails("song.wav", "fLaC\0\0\0\u0022"u8.ToArray().Concat(new byte[64]).ToArray(),
        "FLAC audio is not supported (supported: WAV, MP3, Ogg Vorbis)");

    [Fact]
    public void OggOpus()
    {
        var page = new byte[64];
        "OggS"u8.CopyTo(page);
        page[26] = 1;        // one segment
        page[27] = 19;       // of 19 bytes
        "OpusHead"u8.CopyTo(page.AsSpan(28));
        Fails("voice.ogg", page, "Ogg Opus audio is not supported");
    }

    [Fact]
    public void AacAdts() => Fails("a.mp3", new byte[] { 0xFF, 0xF1, 0x50, 0x80, 0, 0, 0, 0 }, "AAC (ADTS) audio is not supported");

    [Fact]
    public void Mp4() => Fails("a.m4a", "\0\0\0\u0020ftypM4A \0\0\0\0"u8.ToArray(), "MP4/M4A");

    [Fact]
    public void RiffThatIsNotWave() => Fails("movie.wav", "RIFF\0\0\0\0AVI LIST"u8.ToArray(), "RIFF file of type 'AVI '");

    [Fact]
    public void TextFile() => Fails("notes.wav", "hello, this is not audio"u8.ToArray(), "unrecognised audio format");

    [Fact]
    public void TinyGarbage() => Fails("x.wav", [0x42], "unrecognised audio format");

    [Fact]
    public void Mp3GarbageAfterId3Tag()
    {
        var rng = new Random(1);
        var bytes = new byte[4000];
        rng.NextBytes(bytes);
        "ID3\u0004\0\0\0\0\0\u0010"u8.CopyTo(bytes);
        var e = Fails("garbage_id3.mp3", bytes, "MP3");
        Assert.Null(e.InnerException as CoalaException);
    }

    [Fact]
    public void Mp3FrameSyncThenGarbage()
    {
        var rng = new Random(2);
        var bytes = new byte[4000];
        rng.NextBytes(bytes);
        bytes[0] = 0xFF; bytes[1] = 0xFB; bytes[2] = 0x90; bytes[3] = 0x64;
        Fails("garbage_sync.mp3", bytes, "MP3");
    }

    [Fact]
    public void OggVorbisHeaderThenGarbage()
    {
        var good = File.ReadAllBytes(TestData.Fixture("sine440_22050_stereo.ogg"));
        var bytes = new byte[good.Length];
        new Random(3).NextBytes(bytes);
        good.AsSpan(0, 60).CopyTo(bytes);   // first page (identification header) intact, the rest noise
        Fails("garbage.ogg", bytes, "Ogg Vorbis");
    }

    [Fact]
    public void OggVorbisWithCorruptedAudioPagesNeverThrowsAnotherType()
    {
        var bytes = File.ReadAllBytes(TestData.Fixture("sine440_22050_stereo.ogg"));
        var rng = new Random(4);
        for (int i = bytes.Length / 2; i < bytes.Length; i += 37)
            bytes[i] = (byte)rng.Next(256);
        string path = _dir.Write("damaged.ogg", bytes);
        try
        {
            var clip = AudioReader.Read(path);
            Assert.True(clip.Samples.Length > 0);
        }
        catch (CoalaException e)
        {
            Assert.Equal(path, e.FilePath);
        }
    }
}
