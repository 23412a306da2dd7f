using System.Text.Json;
using Coala.ML.Features;
using Xunit.Abstractions;

namespace Coala.ML.Tests.Features;

public class LogMelSpectrogramTests(ITestOutputHelper output)
{
    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "frontend");

    internal static float[] ReadF32(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDir, file));
        Assert.True(BitConverter.IsLittleEndian);
        var data = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        return data;
    }

    public static TheoryData<string, string> FixtureCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "index.json")));
        var data = new TheoryData<string, string>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("signal").GetString()!, c.GetProperty("window").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void MatchesTorchaudioLibrosaEquivalent(string signal, string window)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "index.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray()
            .Single(e => e.GetProperty("signal").GetString() == signal && e.GetProperty("window").GetString() == window);
        int bands = c.GetProperty("bands").GetInt32(), frames = c.GetProperty("frames").GetInt32();
        var samples = ReadF32($"{signal}.in.f32");
        var expected = ReadF32(c.GetProperty("file").GetString()!);
        Assert.Equal(bands * frames, expected.Length);

        var settings = new FrontendSettings { Window = window == "hamming" ? WindowKind.Hamming : WindowKind.Hann };
        var spec = new LogMelSpectrogram(settings).Compute(samples, signal);

        Assert.Equal(bands, spec.Bands);
        Assert.Equal(frames, spec.Frames);
        Assert.Equal(1 + samples.Length / settings.HopLength, spec.Frames);
        double maxErr = 0;
        for (int i = 0; i < expected.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(spec.Data[i] - expected[i]));
        output.WriteLine($"{signal}/{window}: {samples.Length} samples, {frames} frames, max |log-mel error| = {maxErr:E2}");
        Assert.True(maxErr < 1e-3, $"max abs error {maxErr} in log space");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(1024)]
    [InlineData(22000)]
    [InlineData(48640)]
    public void FrameCountIsOnePlusSamplesOverHop(int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = MathF.Sin(i * 0.05f) * 0.5f;
        var mel = new LogMelSpectrogram(FrontendSettings.Default);
        var spec = mel.Compute(x);
        Assert.Equal(1 + n / 512, spec.Frames);
        Assert.Equal(spec.Frames, mel.FrameCount(n));
        Assert.Equal(96, spec.Bands);
        Assert.All(spec.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void SilenceGivesLogEpsilon()
    {
        var spec = new LogMelSpectrogram(FrontendSettings.Default).Compute(new float[4000]);
        Assert.All(spec.Data, v => Assert.Equal(MathF.Log(1.1920929e-07f), v, 1e-5f));
    }

    [Fact]
    public void HammingDiffersFromHann()
    {
        var x = ReadF32("sweep.in.f32");
        var hann = new LogMelSpectrogram(FrontendSettings.Default).Compute(x);
        var hamming = new LogMelSpectrogram(FrontendSettings.Default with { Window = WindowKind.Hamming }).Compute(x);
        double maxDiff = hann.Data.Zip(hamming.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff > 0.05, $"Hann and Hamming differ by only {maxDiff}");
    }

    [Fact]
    public void SameInputTwiceIsBitIdentical()
    {
        var x = ReadF32("noise.in.f32");
        var mel = new LogMelSpectrogram(FrontendSettings.Default);
        var a = mel.Compute(x);
        var b = mel.Compute(x);
        var c = new LogMelSpectrogram(FrontendSettings.Default).Compute(x);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(a.Data, c.Data);
    }

    [Fact]
    public void BadSamplesThrowCoalaExceptionNamingTheSource()
    {
        var mel = new LogMelSpectrogram(FrontendSettings.Default);
        var e = Assert.Throws<CoalaException>(() => mel.Compute(ReadOnlySpan<float>.Empty, "empty.wav"));
        Assert.Contains("empty", e.Message);
        Assert.Equal("empty.wav", e.FilePath);

        var x = new float[3000];
        x[1234] = float.NaN;
        e = Assert.Throws<CoalaException>(() => mel.Compute(x, "nan.wav"));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("1234", e.Message);
        Assert.Equal("nan.wav", e.FilePath);

        x[1234] = float.NegativeInfinity;
        e = Assert.Throws<CoalaException>(() => mel.Compute(x, "inf.wav"));
        Assert.Contains("infinite", e.Message);
    }

    [Fact]
    public void InvalidSettingsThrowCoalaException()
    {
        Assert.Throws<CoalaException>(() => new LogMelSpectrogram(FrontendSettings.Default with { FftSize = 1000 }));
    }

    [Theory]
    [InlineData(3, 5, new[] { 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1 })]   // np.pad(np.arange(3), 5, "reflect")
    [InlineData(1, 3, new[] { 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(4, 7, new[] { 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2 })]
    public void ReflectIsNumpysRepeatedReflection(int length, int pad, int[] numpy)
    {
        for (int k = 0; k < numpy.Length; k++)
            Assert.Equal(numpy[k], LogMelSpectrogram.Reflect(k - pad, length));
    }
}
