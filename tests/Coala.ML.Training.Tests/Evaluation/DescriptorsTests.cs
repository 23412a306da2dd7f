using Coala.ML.Evaluation;

namespace Coala.ML.Training.Tests.Evaluation;

/// <summary>Descriptors against hand-computed values on simple signals.</summary>
public class DescriptorsTests
{
    private const int Rate = 22000;
    private static readonly DescriptorSettings NoPad = new(PadSeconds: 0, NoiseAmplitude: 0);

    private static float[] Tone(double hz, double seconds, double amp = 0.5, int rate = Rate) =>
        Enumerable.Range(0, (int)(seconds * rate)).Select(i => (float)(amp * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    /// <summary>
    /// 66001 samples (3 s) of a cosine at a frequency whose half-period divides 66000 samples: it has an extremum at
    /// both ends, so the centred frames' reflect padding continues it smoothly (a sine starting at 0 would get a kink
    /// there, i.e. broadband edge frames, as in librosa).
    /// </summary>
    private static float[] SmoothTone(double hz) =>
        Enumerable.Range(0, 66001).Select(i => (float)(0.5 * Math.Cos(2 * Math.PI * hz * i / Rate))).ToArray();

    [Fact]
    public void PureToneCentroidIsItsFrequencyAndBandwidthIsSmall()
    {
        var f = Descriptors.Frames(SmoothTone(1000), Rate, "tone", NoPad);
        Assert.Equal(96, f.Frames);
        foreach (double c in f.Centroid) Assert.InRange(c, 990, 1010);
        foreach (double b in f.Bandwidth) Assert.InRange(b, 1, 150);
        var d = new ClipDescriptors(f);
        Assert.InRange(d[DescriptorGroup.CentroidMean][0], 995, 1005);
        Assert.InRange(d[DescriptorGroup.CentroidVariance][0], 0, 1);
        Assert.Single(d[DescriptorGroup.BandwidthSkewness]);
    }

    [Fact]
    public void HigherToneHasHigherCentroid()
    {
        double low = new ClipDescriptors(Descriptors.Frames(SmoothTone(500), Rate, "a", NoPad))[DescriptorGroup.CentroidMean][0];
        double high = new ClipDescriptors(Descriptors.Frames(SmoothTone(4000), Rate, "b", NoPad))[DescriptorGroup.CentroidMean][0];
        Assert.InRange(low, 495, 505);
        Assert.InRange(high, 3990, 4010);
    }

    [Theory]
    [InlineData(440.0, 9)]          // A4
    [InlineData(261.6256, 0)]       // C4
    [InlineData(392.0, 7)]          // G4
    [InlineData(1318.51, 4)]        // E6
    public void ChromaPeaksAtTheTonesPitchClass(double hz, int pitchClass)
    {
        var d = new ClipDescriptors(Descriptors.Frames(Tone(hz, 3), Rate, "tone", NoPad));
        var mean = d[DescriptorGroup.ChromaMean];
        Assert.Equal(12, mean.Length);
        Assert.Equal(pitchClass, Array.IndexOf(mean, mean.Max()));
        Assert.InRange(mean[pitchClass], 0.99, 1.0 + 1e-12);    // each frame is divided by its maximum
        // At 21.5 Hz per FFT bin, low notes leak into the neighbouring pitch classes (as in librosa); far ones stay low.
        for (int c = 0; c < 12; c++)
        {
            int distance = Math.Min((c - pitchClass + 12) % 12, (pitchClass - c + 12) % 12);
            if (distance >= 3) Assert.InRange(mean[c], 0, 0.2);
            else if (distance >= 1) Assert.InRange(mean[c], 0, 0.9);
        }
    }

    [Fact]
    public void TuningEstimateFindsAQuarterToneSharpShift()
    {
        double hz = 1760 * Math.Pow(2, 0.25 / 12);
        var f = Descriptors.Frames(Tone(hz, 3), Rate, "sharp", NoPad);
        Assert.InRange(f.Tuning, 0.22, 0.28);
        Assert.InRange(Descriptors.Frames(Tone(1760, 3), Rate, "a6", NoPad).Tuning, -0.03, 0.03);
    }

    [Fact]
    public void SummaryMatchesHandComputedMoments()
    {
        var (mean, variance, skew) = Descriptors.Summarize([1, 2, 3, 4, 5]);
        Assert.Equal(3, mean, 12);
        Assert.Equal(2, variance, 12);         // population variance (np.var)
        Assert.Equal(0, skew, 12);             // symmetric
        var (m2, v2, s2) = Descriptors.Summarize([0, 0, 0, 1]);
        Assert.Equal(0.25, m2, 12);
        Assert.Equal(0.1875, v2, 12);
        Assert.Equal(2 / Math.Sqrt(3), s2, 9); // m3 / m2^1.5 = 0.09375 / 0.1875^1.5 (scipy.stats.skew, biased)
        var (_, v3, s3) = Descriptors.Summarize([7, 7, 7]);
        Assert.Equal(0, v3);
        Assert.Equal(0, s3);
    }

    [Fact]
    public void SymmetricDistributionHasNearZeroSkewness()
    {
        var rng = new Random(3);
        var v = Enumerable.Range(0, 20000).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        Assert.InRange(Descriptors.Summarize(v).Skewness, -0.05, 0.05);
        var exp = v.Select(x => -Math.Log((x + 1) / 2 + 1e-12)).ToArray();   // exponential: skewness 2
        Assert.InRange(Descriptors.Summarize(exp).Skewness, 1.7, 2.3);
    }

    [Fact]
    public void MfccOfAFlatSpectrumIsOnlyTheFirstCoefficient()
    {
        var melDb = Enumerable.Range(0, 3).Select(_ => Enumerable.Repeat(-20.0, 128).ToArray()).ToArray();
        var mfcc = Descriptors.Mfcc(melDb, 20);
        Assert.Equal(20, mfcc.Length);
        Assert.Equal(-20 * Math.Sqrt(128), mfcc[0][1], 9);   // orthonormal DCT-II: sqrt(1/N) * N * c
        for (int c = 1; c < 20; c++) Assert.Equal(0, mfcc[c][2], 9);
        // A half-cosine across bands is exactly coefficient 1: sqrt(2/N) * sum cos² = sqrt(N/2).
        var ramp = new[] { Enumerable.Range(0, 128).Select(n => Math.Cos(Math.PI * (2 * n + 1) / 256.0)).ToArray() };
        var m = Descriptors.Mfcc(ramp, 3);
        Assert.Equal(0, m[0][0], 9);
        Assert.Equal(Math.Sqrt(64), m[1][0], 9);
        Assert.Equal(0, m[2][0], 9);
    }

    [Fact]
    public void AnalysisWindowIsTheLoudestOne()
    {
        // 10 s buffer: silence with a 1 s tone at 6 s; the chosen 96-frame window must contain the tone.
        var x = new float[8 * Rate];
        Tone(2000, 1).CopyTo(x, 6 * Rate);
        var f = Descriptors.Frames(x, Rate, "burst", DescriptorSettings.Default with { NoiseAmplitude = 0 });
        Assert.Equal(96, f.Frames);
        int toneFrames = f.Centroid.Count(c => Math.Abs(c - 2000) < 30);
        Assert.InRange(toneFrames, 40, 45);                   // 1 s = 43 frames
        Assert.Equal(96 - toneFrames, f.Centroid.Count(c => c == 0) + f.Centroid.Count(c => c != 0 && Math.Abs(c - 2000) >= 30));
        Assert.True(f.Centroid.Count(c => c == 0) >= 45);    // padded silence: librosa gives 0
    }

    [Fact]
    public void DefaultAnalysisPadsWithSmallNoiseAndIsDeterministic()
    {
        var tone = Tone(300, 0.5);
        var a = Descriptors.FromSamples(tone, Rate, "a");
        var b = Descriptors.FromSamples(tone, Rate, "b");
        foreach (var g in Descriptors.Groups)
        {
            Assert.Equal(Descriptors.Dimension(g), a[g].Length);
            Assert.Equal(a[g], b[g]);
            Assert.All(a[g], v => Assert.True(double.IsFinite(v)));
        }
        // The padding noise makes the silent frames broadband: no centroid is exactly zero.
        Assert.DoesNotContain(0.0, a.Frames.Centroid);
        var padded = Descriptors.Pad(new float[10], DescriptorSettings.Default);
        Assert.Equal(220000, padded.Length);
        Assert.All(padded, v => Assert.InRange(v, 0, 5e-4));
    }

    [Fact]
    public void ResamplesOtherRates()
    {
        var f = Descriptors.Frames(Tone(1000, 3, rate: 44100), 44100, "hi-rate", NoPad);
        foreach (double c in f.Centroid[2..^2]) Assert.InRange(c, 990, 1010);   // edge frames: see SmoothTone
    }

    [Fact]
    public void BadInputIsACoalaExceptionNamingTheSource()
    {
        string missing = Path.Combine(Path.GetTempPath(), "coala-no-such-" + Guid.NewGuid().ToString("N") + ".wav");
        var e = Assert.Throws<CoalaException>(() => Descriptors.FromFile(missing));
        Assert.Contains(missing, e.Message);
        var nan = Tone(440, 0.2);
        nan[7] = float.NaN;
        Assert.Contains("clip7", Assert.Throws<CoalaException>(() => Descriptors.FromSamples(nan, Rate, "clip7")).Message);
        Assert.Throws<CoalaException>(() => Descriptors.FromSamples([], Rate, "empty"));
        Assert.Throws<CoalaException>(() => Descriptors.FromSamples(Tone(440, 0.2), Rate, "x", new DescriptorSettings(FftSize: 1000)));
    }
}
