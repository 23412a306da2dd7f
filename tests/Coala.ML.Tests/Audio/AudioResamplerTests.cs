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
    public void One_kilohertz_keeps_frequency_amplitude_and_phase(int from, int to)
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
    public void No_time_shift_cross_correlation_peaks_at_lag_zero(int from, int to)
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
    public void Tone_above_the_new_nyquist_is_attenuated_by_more_than_40_dB()
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
    public void Output_length_is_input_length_times_ratio_rounded(int from, int to, int n, int expected)
    {
        var x = Sine(440, 0.3, from, n);
        Assert.Equal(expected, AudioResampler.Resample(x, from, to).Length);
    }

    [Fact]
    public void Equal_rates_return_an_identical_copy()
    {
        var x = Sine(440, 0.3, 22000, 1000);
        var y = AudioResampler.Resample(x, 22000, 22000);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void Same_input_gives_bit_identical_output()
    {
        var x = Chirp(48000, 30000);
        var a = AudioResampler.Resample(x, 48000, 22000);
        var b = AudioResampler.Resample(x, 48000, 22000);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Clip_overload_converts_rate_and_keeps_source()
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
    public void Non_positive_rates_are_rejected(int from, int to)
    {
        var e = Assert.Throws<CoalaException>(() => AudioResampler.Resample(new float[10], from, to));
        Assert.Contains("sample rates must be positive", e.Message);
    }
}
