using Coala.ML.Audio;
using Coala.ML.Features;

namespace Coala.ML.Training.Data;

/// <summary>
/// The real per-file extraction of <c>coala prepare</c>: decode (<see cref="AudioReader.Read(string)"/>, mono),
/// reject silent and too-short audio, resample to the frontend rate (<see cref="AudioResampler"/>), then the
/// highest-energy patch of the clip zero-padded to 10 s (<see cref="CoalaFrontend.MaxEnergyPatch"/>, as the
/// reference's return_spectrogram_max_nrg_frame), laid out [band, frame]; with more patches per clip, the further
/// non-overlapping windows of <see cref="CoalaFrontend.MaxEnergyPatches"/>. Thread-safe.
/// </summary>
internal static class AudioPatchSource
{
    /// <summary>Names this extraction in the patch cache and the manifest; change it when the extraction changes.</summary>
    public const string ExtractorId = "coala.max-energy-patch/pad-10s/step-12/v1";

    /// <summary>Peak amplitude below which a clip counts as silent (-120 dBFS: below one step of 16-bit PCM).</summary>
    public const float SilencePeak = 1e-6f;

    /// <summary>A clip needs at least one FFT window of samples at the frontend rate.</summary>
    public static int MinimumSamples(FrontendSettings settings) => settings.FftSize;

    /// <summary>The extraction's id for <paramref name="patchesPerClip"/> (1: <see cref="ExtractorId"/>, as before that option existed).</summary>
    public static string ExtractorIdFor(int patchesPerClip) =>
        patchesPerClip == 1 ? ExtractorId : $"{ExtractorId}/up-to-{patchesPerClip}-patches";

    /// <summary>A <see cref="CorpusPreparer"/> using this extraction, with up to <paramref name="patchesPerClip"/> patches a clip.</summary>
    public static CorpusPreparer CreatePreparer(FrontendSettings settings, int patchesPerClip = 1) =>
        new(settings, Create(settings, patchesPerClip), ExtractorIdFor(patchesPerClip), patchesPerClip);

    /// <summary>The extraction as the delegate <see cref="CorpusPreparer"/> takes.</summary>
    public static Func<string, float[]> Create(FrontendSettings settings, int patchesPerClip = 1)
    {
        if (patchesPerClip < 1) throw new CoalaException($"--patches-per-clip must be at least 1 (got {patchesPerClip})");
        var frontend = new CoalaFrontend(settings);
        return path => FromClip(AudioReader.Read(path), frontend, patchesPerClip);
    }

    /// <summary>The patch(es) of a decoded clip; silent or too-short audio is a <see cref="CoalaException"/> naming the clip.</summary>
    public static float[] FromClip(AudioClip clip, CoalaFrontend frontend, int patchesPerClip = 1)
    {
        var s = frontend.Settings;
        if (clip.Samples.Length == 0) throw new CoalaException("too short: the file holds no samples", clip.Source);
        float peak = 0;
        foreach (float x in clip.Samples)
        {
            float a = Math.Abs(x);
            if (a > peak || float.IsNaN(a)) peak = a;
        }
        if (peak < SilencePeak) throw new CoalaException(peak == 0 ? "silent: every sample is zero" : $"silent: peak {peak:G3} is below {SilencePeak:G3}", clip.Source);

        var samples = clip.SampleRate == s.SampleRate ? clip.Samples : AudioResampler.Resample(clip.Samples, clip.SampleRate, s.SampleRate);
        int min = MinimumSamples(s);
        if (samples.Length < min)
            throw new CoalaException($"too short: {clip.DurationSeconds * 1000:0.#} ms (at least {1000.0 * min / s.SampleRate:0.#} ms, one FFT window, is needed)", clip.Source);
        return frontend.MaxEnergyPatches(samples, patchesPerClip, source: clip.Source);
    }
}
