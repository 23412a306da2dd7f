using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Model;

public class CoalaEmbedderTests
{
    private static CoalaEmbedder Embedder(CoalaPooling pooling = CoalaPooling.Mean) =>
        new(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel(), Pooling = pooling });

    [Fact]
    public void TheSameInputGivesTheSameVectorBitForBitAcrossRunsAndInstances()
    {
        var x = TestAssets.Signal(4.3, 22000, seed: 11);
        using var a = Embedder();
        using var b = Embedder();
        var first = a.Embed(x, 22000);
        Assert.Equal(1152, first.Length);
        Assert.Equal(first, a.Embed(x, 22000));
        Assert.Equal(first, b.Embed(x, 22000));
        Assert.All(first, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void RealCompressedAndSpeechFilesEmbed()
    {
        using var e = Embedder(CoalaPooling.MeanAndStd);
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "audio");
        var files = Directory.GetFiles(fixtures, "*.mp3").Concat(Directory.GetFiles(fixtures, "*.ogg"))
            .Append(Path.Combine(TestAssets.SharedDir(), "data", "fsdd", "recordings", "0_george_0.wav")).ToList();
        Assert.True(files.Count >= 3);
        foreach (var f in files)
        {
            var v = e.EmbedFile(f);
            Assert.Equal(2304, v.Length);
            Assert.All(v, x => Assert.True(float.IsFinite(x), f));
        }
    }

    [Fact]
    public void AClipShorterThanOnePatchEqualsItsZeroPaddedSelf()
    {
        using var e = Embedder();
        var x = TestAssets.Signal(0.5, 22000, seed: 3);
        var padded = new float[95 * 512];
        x.CopyTo(padded, 0);
        Assert.Equal(e.Embed(padded, 22000), e.Embed(x, 22000));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("empty")]
    [InlineData("rate")]
    public void BadSamplesAreCoalaErrorsNamingTheSource(string what)
    {
        using var e = Embedder();
        var x = TestAssets.Signal(1, 22000);
        int rate = 22000;
        switch (what)
        {
            case "nan": x[500] = float.NaN; break;
            case "inf": x[7] = float.NegativeInfinity; break;
            case "empty": x = []; break;
            case "rate": rate = 0; break;
        }
        var ex = Assert.Throws<CoalaException>(() => e.Embed(x, rate, "clip-42"));
        Assert.Equal("clip-42", ex.FilePath);
        Assert.Contains(what switch { "nan" or "inf" => "NaN/Inf", "empty" => "no samples", _ => "sample rate" }, ex.Message);
    }

    [Fact]
    public void SharedAcross16ThreadsItMatchesASerialRun()
    {
        using var e = Embedder();
        var clips = Enumerable.Range(0, 6).Select(i => TestAssets.Signal(2 + i * 0.7, 16000 + 4000 * (i % 3), seed: i)).ToArray();
        var rates = Enumerable.Range(0, 6).Select(i => 16000 + 4000 * (i % 3)).ToArray();
        var serial = clips.Select((c, i) => e.Embed(c, rates[i])).ToArray();
        var parallel = new float[16 * 6][];
        Parallel.For(0, 16 * 6, new ParallelOptions { MaxDegreeOfParallelism = 16 }, k => parallel[k] = e.Embed(clips[k % 6], rates[k % 6]));
        for (int k = 0; k < parallel.Length; k++) Assert.Equal(serial[k % 6], parallel[k]);
    }

    [Fact]
    public void MissingModelOrAudioFileNamesTheFile()
    {
        var dir = TestAssets.TempDir("embedder");
        var model = Path.Combine(dir, "none.onnx");
        var ex = Assert.Throws<CoalaException>(() => new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model }));
        Assert.Equal(model, ex.FilePath);

        using var e = Embedder();
        var wav = Path.Combine(dir, "gone.wav");
        ex = Assert.Throws<CoalaException>(() => e.EmbedFile(wav));
        Assert.Equal(wav, ex.FilePath);
    }
}
