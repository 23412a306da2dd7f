using Coala.ML.Audio;

namespace Coala.ML.Tests.Audio;

/// <summary>MP3 (NLayer) and Ogg Vorbis (NVorbis) through <see cref="AudioReader"/>, on the fixtures of tools/fixtures/make_audio_fixtures.sh.</summary>
public sealed class CompressedAudioTests : IDisposable
{
    private const string Mp3 = "sine440_44100_mono.mp3";
    private const string Ogg = "sine440_22050_stereo.ogg";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Mp3FixtureDecodesToOneSecondOf440Hz()
    {
        string path = TestData.Fixture(Mp3);
        using var source = AudioReader.Open(path);
        Assert.Equal(1, source.Channels);
        var clip = AudioReader.ReadAll(source);

        Assert.Equal(44100, clip.SampleRate);
        // LAME adds an encoder delay and padding of about 1100-2300 samples.
        Assert.InRange(clip.DurationSeconds, 0.99, 1.1);
        var middle = clip.Samples.AsSpan(11025, 22050);
        Assert.InRange(Signals.ZeroCrossingFrequency(middle, 44100), 438, 442);
        Assert.InRange(Signals.Rms(middle), 0.5 / Math.Sqrt(2) * 0.9, 0.5 / Math.Sqrt(2) * 1.1);
    }

    [Fact]
    public void OggFixtureDecodesToOneSecondOf440HzMixedFromStereo()
    {
        string path = TestData.Fixture(Ogg);
        using var source = AudioReader.Open(path);
        Assert.Equal(2, source.Channels);
        Assert.Equal(22050, source.SampleRate);
        Assert.Equal(22050, source.TotalFrames);
        var clip = AudioReader.ReadAll(source);

        Assert.Equal(22050, clip.Samples.Length);
        var middle = clip.Samples.AsSpan(5512, 11025);
        Assert.InRange(Signals.ZeroCrossingFrequency(middle, 22050), 438, 442);
        Assert.InRange(Signals.Rms(middle), 0.5 / Math.Sqrt(2) * 0.9, 0.5 / Math.Sqrt(2) * 1.1);
    }

    [Theory]
    [InlineData(Mp3)]
    [InlineData(Ogg)]
    public void CompressedAudioIsRecognisedFromContentWhateverTheExtension(string fixture)
    {
        string renamed = _dir.Write("renamed.wav", File.ReadAllBytes(TestData.Fixture(fixture)));
        var clip = AudioReader.Read(renamed);
        Assert.Equal(AudioReader.Read(TestData.Fixture(fixture)).Samples, clip.Samples);
    }

    [Theory]
    [InlineData(Mp3)]
    [InlineData(Ogg)]
    public void CompressedAudioStreamsTheSameFromACallerStream(string fixture)
    {
        var expected = AudioReader.Read(TestData.Fixture(fixture)).Samples;
        using var stream = File.OpenRead(TestData.Fixture(fixture));
        var clip = AudioReader.Read(stream, fixture);
        Assert.Equal(expected, clip.Samples);
        Assert.True(stream.CanRead, "the caller's stream must stay open");
    }

    [Theory]
    [InlineData(Mp3)]
    [InlineData(Ogg)]
    public void CompressedAudioDecodesFromANonSeekableStream(string fixture)
    {
        var expected = AudioReader.Read(TestData.Fixture(fixture)).Samples;
        var pipe = new NonSeekableStream(File.ReadAllBytes(TestData.Fixture(fixture)));
        Assert.Equal(expected, AudioReader.Read(pipe, fixture).Samples);
        Assert.False(pipe.Disposed);
    }

    [Theory]
    [InlineData(Mp3, 3000)]
    [InlineData(Ogg, 3000)]
    public void TruncatedCompressedFilesDecodeWhatIsThereOrFailAsCoalaException(string fixture, int keep)
    {
        string path = _dir.Write("cut_" + fixture, File.ReadAllBytes(TestData.Fixture(fixture))[..keep]);
        try
        {
            var clip = AudioReader.Read(path);
            Assert.InRange(clip.DurationSeconds, 0.0001, 0.9);
        }
        catch (CoalaException e)
        {
            Assert.Equal(path, e.FilePath);
        }
    }
}
