using Coala.ML.Audio;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Audio;

/// <summary>
/// Issue 18, item 12: a cut file (WAV data beyond the end, MP3 or Ogg cut in half) is decoded as far as it goes and
/// says how much is missing; a whole one says nothing.
/// </summary>
public class TruncationTests
{
    private static string? TruncationOf(string path)
    {
        using var source = AudioReader.Open(path);
        var buffer = new float[65536];
        while (source.ReadMono(buffer) > 0) { }
        return source.Truncation;
    }

    private static string Cut(string fixture, int keep)
    {
        var dir = TestAssets.TempDir("cut");
        var bytes = File.ReadAllBytes(TestData.Fixture(fixture));
        return TestAssets.WriteBytes(Path.Combine(dir, "cut_" + fixture), bytes[..keep]);
    }

    [Theory]
    [InlineData("sine440_44100_mono.mp3")]
    [InlineData("sweep12s_44100_stereo.mp3")]
    [InlineData("sine440_22050_stereo.ogg")]
    [InlineData("sweep12s_44100_stereo.ogg")]
    public void WholeFilesAreNotTruncated(string fixture) => Assert.Null(TruncationOf(TestData.Fixture(fixture)));

    [Fact]
    public void AWavWhoseDataRunsPastTheEndSaysHowMuchIsMissing()
    {
        var x = WavBuilder.Interleaved(400, 2, 8000);
        var data = WavBuilder.EncodeSamples(x, WavEncoding.Pcm16);
        var bytes = WavBuilder.Riff(WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm16, 2, 8000)),
            WavBuilder.Chunk("data", data, declaredSize: 8000 * 4));   // declares 1 s, holds 0.05 s
        var path = TestAssets.WriteBytes(Path.Combine(TestAssets.TempDir("cut-wav"), "cut.wav"), bytes);

        var t = TruncationOf(path);

        Assert.NotNull(t);
        Assert.Contains("declares 32000 bytes, the file holds 1600: 0.95 s of audio missing", t);
        var whole = TestAssets.WriteBytes(Path.Combine(TestAssets.TempDir("whole-wav"), "whole.wav"),
            WavBuilder.Riff(WavBuilder.Chunk("fmt ", WavBuilder.Fmt(WavEncoding.Pcm16, 2, 8000)), WavBuilder.Chunk("data", data)));
        Assert.Null(TruncationOf(whole));
    }

    [Fact]
    public void AnMp3CutInHalfIsTruncated()
    {
        // (Half of this file is exactly 232 frames, a cut that no header-less MP3 can reveal: cut inside the next one.)
        int half = (int)new FileInfo(TestData.Fixture("sweep12s_44100_stereo.mp3")).Length / 2 + 100;
        Assert.Contains("ends inside a frame", TruncationOf(Cut("sweep12s_44100_stereo.mp3", half)));
        // With a Xing/Info header the missing audio is measured.
        half = (int)new FileInfo(TestData.Fixture("sine440_44100_mono.mp3")).Length / 2;
        Assert.Matches(@"frames its Xing/Info header declares: [0-9.]+ s of audio", TruncationOf(Cut("sine440_44100_mono.mp3", half)));
    }

    [Fact]
    public void AnOggCutInHalfOrAtAPageIsTruncated()
    {
        var bytes = File.ReadAllBytes(TestData.Fixture("sweep12s_44100_stereo.ogg"));
        Assert.Contains("ends inside a page", TruncationOf(Cut("sweep12s_44100_stereo.ogg", bytes.Length / 2 + 1)));
        int page = bytes.AsSpan(bytes.Length / 2).IndexOf("OggS"u8) + bytes.Length / 2;
        Assert.Contains("without its end-of-stream page", TruncationOf(Cut("sweep12s_44100_stereo.ogg", page)));
    }
}
