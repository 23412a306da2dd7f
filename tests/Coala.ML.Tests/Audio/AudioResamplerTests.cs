using Coala.ML.Audio;

namespace Coala.ML.Tests.Audio;

public sealed class AudioResamplerTests
{
    private static float[] Sine(double frequency, double amplitude, int rate, int count, double phase = 0) =>
        Enumerable.Range(0, count).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate + phase))).ToArray();

    /// <summary>A linear chirp sampled at <paramref name="rate"/>: not periodic, so a time shift cannot hide behind a period.</summary>
    private static float[] Chirp(int rate, int count, double f0 = 200, double f1 = 6000)
    {
        double duration = (double)count / rate;
        return Enumerable.Range(0, count).Select(i =>
        {
            double t = (double)i / rate;
            return (float)(0.5 * Math.Sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * duration))));
        }).ToArray();
    }

    [Theory]
    [InlineData(44100, 22000)]
    [InlineData(48000, 22000)]
    [InlineData(8000, 22000)]
    [InlineData(16000, 22000)]
    [InlineData(192000, 22000)]
    public void OneKilohertzKeepsFrequencyAmplitudeAndPhase(int from, int to)
    {
        var y = AudioResampler.Resample(Sine(1000, 0.5, from, from), from, to);

        Assert.Equal(to, y.Length);
        var middle = y.AsSpan(to / 4, to / 2);
        var (amplitude, phase) = Signals.Tone(middle, to / 4, 1000, to);
        Assert.InRange(amplitude, 0.5 * 0.99, 0.5 * 1.01);
        Assert.InRange(phase, -0.01, 0.01);   // 0.01 rad at 1 kHz = 1.6 us, 0.035 samples at 22 kHz
        Assert.InRange(Signals.ZeroCrossingFrequency(middle, to), 990, 1010);
        // And sample by sample against the analytically generated sine at the target rate.
        var reference = Sine(1000, 0.5, to, to);
        for (int i = to / 4; i < 3 * to / 4; i++)
            Assert.True(Math.Abs(y[i] - reference[i]) < 0.005, $"sample {i}: {y[i]} vs {reference[i]}");
    }

    [Theory]
    [InlineData(44100, 22000)]
    [InlineData(8000, 22000)]
    [InlineData(96000, 22000)]
    public void NoTimeShiftCrossCorrelationPeaksAtLagZero(int from, int to)
    {
        int seconds = 1;
        var y = AudioResampler.Resample(Chirp(from, from * seconds, f1: Math.Min(from, to) * 0.4), from, to);
        var reference = Chirp(to, to * seconds, f1: Math.Min(from, to) * 0.4);

        int bestLag = int.MinValue;
        double best = double.NegativeInfinity;
        for (int lag = -60; lag <= 60; lag++)
        {
            double sum = 0;
            for (int i = 100; i < reference.Length - 100; i++)
                sum += reference[i] * (double)y[i + lag];
            if (sum > best) { best = sum; bestLag = lag; }
        }
        Assert.Equal(0, bestLag);
    }

    [Fact]
    public void ToneAboveTheNewNyquistIsAttenuatedByMoreThan40DB()
    {
        var x = Sine(15000, 0.5, 44100, 44100);
        var y = AudioResampler.Resample(x, 44100, 22000);
        double ratio = Signals.Rms(y.AsSpan(1000, 20000)) / Signals.Rms(x);
        Assert.True(20 * Math.Log10(ratio) < -40, $"15 kHz kept at {20 * Math.Log10(ratio):F1} dB");
    }

    [Theory]
    [InlineData(44100, 22000, 44100, 22000)]
    [InlineData(44100, 22000, 1, 0)]
    [InlineData(44100, 22000, 12345, 6159)]    // 6158.503
    [InlineData(44100, 22000, 12340, 6156)]    // 6155.99
    [InlineData(8000, 22000, 8000, 22000)]
    [InlineData(8000, 22000, 8001, 22003)]     // 22002.75
    [InlineData(8000, 22000, 3, 8)]            // 8.25
    [InlineData(192000, 22000, 192000, 22000)]
    [InlineData(192000, 22000, 1000, 115)]     // 114.58
    [InlineData(22050, 22000, 441, 440)]
    [InlineData(11025, 22000, 0, 0)]
    public void OutputLengthIsInputLengthTimesRatioRounded(int from, int to, int n, int expected)
    {
        var x = Sine(440, 0.3, from, n);
        Assert.Equal(expected, AudioResampler.Resample(x, from, to).Length);
    }

    [Fact]
    public void EqualRatesReturnAnIdenticalCopy()
    {
        var x = Sine(440, 0.3, 22000, 1000);
        var y = AudioResampler.Resample(x, 22000, 22000);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void SameInputGivesBitIdenticalOutput()
    {
        var x = Chirp(48000, 30000);
        var a = AudioResampler.Resample(x, 48000, 22000);
        var b = AudioResampler.Resample(x, 48000, 22000);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ClipOverloadConvertsRateAndKeepsSource()
    {
        var clip = new AudioClip(Sine(440, 0.3, 8000, 8000), 8000, "digits.wav");
        var resampled = AudioResampler.Resample(clip, 22000);
        Assert.Equal(22000, resampled.SampleRate);
        Assert.Equal(22000, resampled.Samples.Length);
        Assert.Equal("digits.wav", resampled.Source);
        Assert.Same(clip, AudioResampler.Resample(clip, 8000));
    }

    [Theory]
    [InlineData(0, 22000)]
    [InlineData(44100, -1)]
    public void NonPositiveRatesAreRejected(int from, int to)
    {
        var e = Assert.Throws<CoalaException>(() => AudioResampler.Resample(new float[10], from, to));
        Assert.Contains("sample rates must be positive", e.Message);
    }

    [Fact]
    public void PassbandFrom1To9KilohertzIsFlatWithinATenthOfADB()
    {
        for (int f = 1000; f <= 9000; f += 500)
        {
            var y = AudioResampler.Resample(Sine(f, 0.5, 44100, 44100), 44100, 22000);
            var (amplitude, _) = Signals.Tone(y.AsSpan(5500, 11000), 5500, f, 22000);   // f / 2 whole periods
            double db = 20 * Math.Log10(amplitude / 0.5);
            Assert.True(Math.Abs(db) < 0.1, $"{f} Hz: {db:F3} dB");
        }
    }

    [Theory]
    [InlineData(44100, 15000)]
    [InlineData(44100, 11500)]
    [InlineData(48000, 12000)]
    [InlineData(96000, 30000)]
    [InlineData(192000, 15000)]
    public void TonesThatWouldAliasAreAttenuatedByMoreThan60DB(int from, double frequency)
    {
        var x = Sine(frequency, 0.5, from, from);
        var y = AudioResampler.Resample(x, from, 22000);
        double db = 20 * Math.Log10(Signals.Rms(y.AsSpan(1000, 20000)) / Signals.Rms(x));
        Assert.True(db < -60, $"{frequency} Hz kept at {db:F1} dB");
    }

    [Theory]
    [InlineData(44100, 22000, 1000)]
    [InlineData(44100, 22000, 9000)]
    [InlineData(48000, 22000, 1000)]
    [InlineData(16000, 22000, 1000)]
    [InlineData(16000, 22000, 7000)]
    [InlineData(8000, 22000, 1000)]
    [InlineData(96000, 22000, 1000)]
    [InlineData(192000, 22000, 1000)]
    [InlineData(22050, 22000, 1000)]
    [InlineData(44100, 22001, 1000)]   // coprime: kernels interpolated between tabulated phases
    [InlineData(44100, 22001, 9000)]
    public void SineMatchesTheAnalyticSineAtTheNewRateSampleBySample(int from, int to, double frequency)
    {
        var y = AudioResampler.Resample(Sine(frequency, 0.5, from, from / 2), from, to);
        var reference = Sine(frequency, 0.5, to, y.Length);
        for (int i = 400; i < y.Length - 400; i++)   // away from the edges, where the signal is cut to zero
            Assert.True(Math.Abs(y[i] - reference[i]) < 1e-4, $"sample {i}: {y[i]} vs {reference[i]}");
    }

    [Theory]
    [InlineData(44100, 22000, 441 * 3)]
    [InlineData(8000, 22000, 4 * 50)]
    [InlineData(44100, 22001, 44100)]
    public void OutsideTheSignalIsZeroSoPaddingWithWholePeriodsOfZerosOnlyShiftsTheOutput(int from, int to, int pad)
    {
        var x = Chirp(from, 5000, f1: 3000);
        var padded = new float[pad + x.Length + pad];
        x.CopyTo(padded, pad);
        var y = AudioResampler.Resample(x, from, to);
        var yp = AudioResampler.Resample(padded, from, to);
        int shift = (int)((long)pad * to / from);
        Assert.Equal(y, yp.AsSpan(shift, y.Length).ToArray());
        Assert.All(yp.AsSpan(0, shift / 2).ToArray(), v => Assert.Equal(0f, v));   // beyond the kernel's reach: exactly zero
    }

    [Theory]
    [InlineData(44100, 22000, 1)]
    [InlineData(48000, 22000, 2)]
    [InlineData(8000, 22000, 3)]
    [InlineData(192000, 22000, 4)]
    [InlineData(44100, 22001, 5)]
    [InlineData(22000, 22000, 6)]
    public void StreamingInRandomChunksGivesTheOneShotSamplesBitForBit(int from, int to, int seed)
    {
        var rng = new Random(seed);
        var x = Chirp(from, 3 * from / 2 + rng.Next(100), f1: 5000);
        var expected = from == to ? x : AudioResampler.Resample(x, from, to);

        var r = new StreamingResampler(from, to);
        var got = new List<float>();
        int at = 0;
        while (at < x.Length)
        {
            int chunk = Math.Min(x.Length - at, rng.Next(4) == 0 ? rng.Next(3) : rng.Next(5000));
            // Sometimes less room than is ready: the rest must stay pending, not be lost.
            long ready = r.OutputLengthFor(chunk);
            var output = new float[rng.Next(3) == 0 ? rng.Next((int)ready + 1) : (int)ready];
            int n = r.Process(x.AsSpan(at, chunk), output);
            Assert.True(n <= output.Length);
            got.AddRange(output.AsSpan(0, n).ToArray());
            at += chunk;
        }
        Assert.Equal(x.Length, r.InputCount);
        long rest = r.FlushLength, flushed = 0;
        var tail = new float[7];
        int m;
        while ((m = r.Flush(tail)) > 0)
        {
            got.AddRange(tail.AsSpan(0, m).ToArray());
            flushed += m;
        }
        Assert.Equal(rest, flushed);
        Assert.Equal(expected, got.ToArray());
        Assert.Equal(expected.Length, r.OutputCount);
    }

    [Fact]
    public void StreamingBoundsItsMemoryAndRestartsAfterReset()
    {
        var r = new StreamingResampler(44100, 22000);
        var x = Chirp(44100, 44100);
        var one = new float[22000];
        int n = r.Process(x, one);
        n += r.Flush(one.AsSpan(n));
        Assert.Equal(22000, n);
        Assert.Throws<CoalaException>(() => r.Process(x, one));

        r.Reset();
        var again = new float[22000];
        int k = 0;
        for (int at = 0; at < x.Length; at += 441)   // 10 ms chunks
            k += r.Process(x.AsSpan(at, Math.Min(441, x.Length - at)), again.AsSpan(k));
        k += r.Flush(again.AsSpan(k));
        Assert.Equal(one, again);
        Assert.True(r.Lookahead < 300, $"lookahead {r.Lookahead} samples");
    }

    [Fact]
    public void StreamingRejectsNonPositiveRates()
    {
        var e = Assert.Throws<CoalaException>(() => new StreamingResampler(44100, 0));
        Assert.Contains("sample rates must be positive", e.Message);
    }
}
