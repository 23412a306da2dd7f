using NWaves.Filters.Base;
using NWaves.Filters.Fda;
using NWaves.Operations;
using NWaves.Signals;

namespace ResampleBench;
using Coala.ML;
using Coala.ML.Audio;

/// <summary>
/// Band-limited sample-rate conversion built on NWaves' <see cref="Resampler"/> (Hann-windowed sinc
/// interpolation). Output sample k is the input at time k / toRate exactly (no delay), the output has
/// round(n * toRate / fromRate) samples, and the result is deterministic.
/// </summary>
/// <remarks>
/// When downsampling, NWaves' own anti-alias filter is a causal 101-tap FIR that delays the output by
/// 50 input samples (25 output samples at 44.1 kHz to 22 kHz) and is too short for large ratios. So the
/// signal is low-pass filtered here first, with a longer Blackman-windowed sinc (NWaves
/// <see cref="DesignFilter.FirWinLp"/>) whose group delay is removed, and that filter is handed to
/// <see cref="Resampler.Resample"/>, which then does not filter again and only interpolates.
/// </remarks>
internal static class LegacyResampler
{
    /// <summary>Half-width, in input samples, of NWaves' interpolation kernel (its default).</summary>
    private const int InterpolationOrder = 15;

    /// <summary>Anti-alias cutoff as a fraction of the output Nyquist frequency.</summary>
    private const double CutoffFraction = 0.95;

    /// <summary>Converts <paramref name="samples"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    public static float[] Resample(ReadOnlySpan<float> samples, int fromRate, int toRate)
    {
        if (fromRate <= 0 || toRate <= 0)
            throw new CoalaException($"sample rates must be positive (from {fromRate} Hz to {toRate} Hz)");
        if (fromRate == toRate)
            return samples.ToArray();

        int n = samples.Length;
        long outLength = ((long)n * toRate + fromRate / 2) / fromRate;   // round(n * to / from), half up
        if (outLength == 0)
            return [];
        if (outLength > Array.MaxLength)
            throw new CoalaException($"resampling {n} samples from {fromRate} Hz to {toRate} Hz gives more than {Array.MaxLength} samples");

        double ratio = (double)toRate / fromRate;
        // Zeros after the signal: NWaves makes floor(length * ratio) outputs and treats samples past the end as 0,
        // so padding only lengthens the output without changing its values; it also holds the filter's tail.
        int tail = (int)Math.Ceiling(2 / ratio) + InterpolationOrder + 2;
        FirFilter? antiAlias = null;
        float[] input;

        if (ratio < 1)
        {
            // Transition band ~ 10% of the output Nyquist: a Blackman window needs ~5.5 / width taps.
            int half = (int)Math.Ceiling(55.0 / ratio);
            var kernel = DesignFilter.FirWinLp(2 * half + 1, CutoffFraction * ratio / 2);
            antiAlias = new FirFilter(kernel);
            var padded = new float[n + half + tail];
            samples.CopyTo(padded);
            var filtered = antiAlias.ApplyTo(new DiscreteSignal(fromRate, padded)).Samples;
            input = filtered.AsSpan(half, n + tail).ToArray();   // drop the filter's delay of `half` samples
        }
        else
        {
            input = new float[n + tail];
            samples.CopyTo(input);
        }

        var resampled = new Resampler().Resample(new DiscreteSignal(fromRate, input), toRate, antiAlias, InterpolationOrder).Samples;
        if (resampled.Length < outLength)
            throw new CoalaException($"NWaves returned {resampled.Length} samples, {outLength} expected");
        return resampled.AsSpan(0, (int)outLength).ToArray();
    }

    /// <summary>Returns <paramref name="clip"/> at <paramref name="toRate"/> Hz (the same clip when it already is).</summary>
    public static AudioClip Resample(AudioClip clip, int toRate) =>
        clip.SampleRate == toRate ? clip : new AudioClip(Resample(clip.Samples, clip.SampleRate, toRate), toRate, clip.Source);
}
