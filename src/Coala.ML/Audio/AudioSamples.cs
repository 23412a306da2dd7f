namespace Coala.ML.Audio;

/// <summary>
/// The one check of audio as samples (handed in by a caller, decoded, or read by a feature extractor) and the one set
/// of sample-rate bounds, shared by decoders' headers and frontend settings.
/// </summary>
public static class AudioSamples
{
    /// <summary>
    /// Lowest sample rate accepted anywhere, in Hz. A corrupt header declaring 1 Hz would otherwise turn a few
    /// kilobytes into hours of audio at the model's rate.
    /// </summary>
    public const int MinSampleRate = 1000;

    /// <summary>Highest sample rate accepted anywhere, in Hz.</summary>
    public const int MaxSampleRate = 768_000;

    /// <summary>Whether <paramref name="sampleRate"/> is within <see cref="MinSampleRate"/>..<see cref="MaxSampleRate"/>.</summary>
    public static bool IsValidRate(long sampleRate) => sampleRate is >= MinSampleRate and <= MaxSampleRate;

    /// <summary>The bounds as a message fragment.</summary>
    public static string RateBounds => $"expected {MinSampleRate} to {MaxSampleRate}";

    /// <summary>Checks a rate, non-empty samples and that each is finite.</summary>
    /// <exception cref="CoalaException">naming <paramref name="source"/>.</exception>
    public static void Check(ReadOnlySpan<float> samples, int sampleRate, string? source)
    {
        if (!IsValidRate(sampleRate)) throw new CoalaException($"sample rate {sampleRate} Hz is not valid ({RateBounds})", source);
        Check(samples, source);
    }

    /// <summary>Checks that there are samples and that each is finite.</summary>
    /// <exception cref="CoalaException">naming <paramref name="source"/>.</exception>
    public static void Check(ReadOnlySpan<float> samples, string? source)
    {
        if (samples.IsEmpty) throw new CoalaException("audio is empty (no samples)", source);
        CheckFinite(samples, 0, source, samples.Length);
    }

    /// <summary>
    /// Checks that each sample is finite; <paramref name="offset"/> is the index of samples[0] in the whole signal and
    /// <paramref name="total"/> its length where known (streaming callers do not know it).
    /// </summary>
    public static void CheckFinite(ReadOnlySpan<float> samples, long offset, string? source, long? total = null)
    {
        for (int i = 0; i < samples.Length; i++)
            if (!float.IsFinite(samples[i]))
                throw new CoalaException(
                    $"audio has a NaN/Inf sample ({(float.IsNaN(samples[i]) ? "NaN" : "infinite")}) at index {offset + i}{(total is { } n ? $" of {n}" : "")}", source);
    }
}
