using System.Collections.Concurrent;

namespace Coala.ML.Features;

/// <summary>
/// Turns a waveform at the model's sample rate into what the COALA encoder eats: unscaled log-mel patches of
/// [<see cref="FrontendSettings.MelBands"/>, <see cref="FrontendSettings.PatchFrames"/>] (the min-max scaler lives
/// in the ONNX graph). Deterministic: no random padding noise. Thread-safe (pools one
/// <see cref="LogMelSpectrogram"/> per concurrent caller).
/// </summary>
public sealed class CoalaFrontend
{
    private readonly ConcurrentBag<LogMelSpectrogram> _pool = new();

    /// <summary>The settings this frontend computes with.</summary>
    public FrontendSettings Settings { get; }

    /// <summary>Throws <see cref="CoalaException"/> for invalid settings.</summary>
    public CoalaFrontend(FrontendSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        _pool.Add(new LogMelSpectrogram(settings));
    }

    private int Bands => Settings.MelBands;
    private int PatchFrames => Settings.PatchFrames;

    /// <summary>Samples actually analysed for a clip of <paramref name="samples"/>: padded up to one patch if shorter.</summary>
    private int PaddedLength(int samples) => Math.Max(samples, Settings.MinSamplesForOnePatch);

    /// <summary>
    /// Non-overlapping patches of <see cref="FrontendSettings.PatchFrames"/> centred frames, laid out
    /// [patch, band, frame] and flattened (unscaled natural-log mel): <see cref="StreamingPatcher"/> fed the whole clip
    /// at once. Patch p holds frames p*PatchFrames .. (p+1)*PatchFrames - 1 of the clip's log-mel spectrogram; a
    /// trailing partial patch is dropped. A clip shorter than one patch is first zero-padded at the end to exactly
    /// <see cref="FrontendSettings.MinSamplesForOnePatch"/> samples, so every non-empty clip gives at least one patch
    /// (<see cref="FrontendSettings.PatchCount"/>).
    /// Empty input or a NaN/infinite sample is a <see cref="CoalaException"/> naming <paramref name="source"/>.
    /// </summary>
    public float[] EmbeddingPatches(ReadOnlySpan<float> samplesAtModelRate, out int patchCount, string? source = null)
    {
        LogMelSpectrogram.Validate(samplesAtModelRate, source);
        var patcher = new StreamingPatcher(Settings, source);
        patcher.Append(samplesAtModelRate);
        patcher.Complete();
        patchCount = patcher.ReadyPatches;
        var result = new float[patchCount * patcher.PatchValues];
        patcher.TakePatches(result);
        return result;
    }

    /// <summary>
    /// The pre-training input: the waveform zero-padded at the end to <paramref name="padToSeconds"/> (no noise,
    /// unlike the reference; never truncated, and at least one patch long), its log-mel spectrogram, then the
    /// PatchFrames-frame window (windows start every <paramref name="step"/> frames) with the highest sum of
    /// log-mel values, the first on ties (reference return_spectrogram_max_nrg_frame). Returns [band, frame].
    /// </summary>
    public float[] MaxEnergyPatch(ReadOnlySpan<float> samples, double padToSeconds = 10, int step = 12, string? source = null) =>
        MaxEnergyPatches(samples, 1, padToSeconds, step, source);

    /// <summary>
    /// Up to <paramref name="maxPatches"/> pre-training patches of one clip, [patch, band, frame] flattened: first
    /// <see cref="MaxEnergyPatch"/>'s window, then, greedily, the highest-energy window (same grid) that overlaps no
    /// window already taken and lies wholly inside the clip's own frames (windows of zero padding add no audio).
    /// A clip shorter than two patches therefore gives one patch, whatever <paramref name="maxPatches"/> is.
    /// </summary>
    public float[] MaxEnergyPatches(ReadOnlySpan<float> samples, int maxPatches, double padToSeconds = 10, int step = 12, string? source = null)
    {
        if (!double.IsFinite(padToSeconds) || padToSeconds < 0 || padToSeconds > 24 * 3600)
            throw new CoalaException($"invalid padding length {padToSeconds} s (expected 0..86400)", source);
        if (step <= 0) throw new CoalaException($"invalid window step {step} frames (expected >= 1)", source);
        if (maxPatches <= 0) throw new CoalaException($"invalid patch count {maxPatches} (expected >= 1)", source);
        LogMelSpectrogram.Validate(samples, source);

        int length = Math.Max(PaddedLength(samples.Length), (int)Math.Round(padToSeconds * Settings.SampleRate));
        var mel = Rent();
        int ownFrames = mel.FrameCount(samples.Length);
        float[] spec;
        int frames;
        try
        {
            var full = mel.Compute(samples, length, source);
            (spec, frames) = (full.Data, full.Frames);
        }
        finally { _pool.Add(mel); }

        // prefix[t] = sum of all bands over frames 0..t-1, so a window's sum is a difference of two prefixes.
        var prefix = new double[frames + 1];
        for (int t = 0; t < frames; t++)
        {
            double col = 0;
            for (int b = 0; b < Bands; b++) col += spec[b * frames + t];
            prefix[t + 1] = prefix[t] + col;
        }
        int windows = 1 + (frames - PatchFrames) / step;
        var taken = new List<int>(maxPatches);
        while (taken.Count < maxPatches)
        {
            int best = -1;
            double bestSum = double.NegativeInfinity;
            for (int i = 0; i < windows; i++)
            {
                int start = i * step;
                if (taken.Count > 0 && (start + PatchFrames > ownFrames || taken.Exists(s => Math.Abs(s - start) < PatchFrames))) continue;
                double sum = prefix[start + PatchFrames] - prefix[start];
                if (sum > bestSum) { bestSum = sum; best = i; }
            }
            if (best < 0) break;
            taken.Add(best * step);
        }

        int per = Bands * PatchFrames;
        var patches = new float[taken.Count * per];
        for (int p = 0; p < taken.Count; p++)
            for (int b = 0; b < Bands; b++)
                Array.Copy(spec, b * frames + taken[p], patches, p * per + b * PatchFrames, PatchFrames);
        return patches;
    }

    private LogMelSpectrogram Rent() => _pool.TryTake(out var mel) ? mel : new LogMelSpectrogram(Settings);
}
