using Coala.ML.Features;

namespace Coala.ML.Training;

/// <summary>
/// Fresh views of a scaled log-mel training patch ([bands, frames]), drawn anew each time a patch is used
/// (<c>coala train --augment</c>): a random gain of up to ±<see cref="MaxGainDb"/> dB (in the log-mel domain an
/// additive shift, scaled per band as the min-max scaler scales it), a circular time shift of up to
/// ±<see cref="MaxShiftFrames"/> frames (a short clip's sound moves inside its padded patch), and SpecAugment's
/// masks: <see cref="Masks"/> frequency bands of up to <see cref="MaxMaskBands"/> bands and <see cref="Masks"/>
/// time spans of up to <see cref="MaxMaskFrames"/> frames, set to 0 (the scaled floor). Values end clamped at 0,
/// as the generalised KL loss needs non-negative targets. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class PatchAugmentation
{
    public const double MaxGainDb = 6;
    public const int MaxShiftFrames = 24;
    public const int Masks = 2;
    public const int MaxMaskBands = 8;
    public const int MaxMaskFrames = 12;

    private readonly float[] _scale;
    private readonly int _bands, _frames;

    /// <param name="scaler">the scaler that made the patches (its per-band scale turns a log gain into a scaled shift).</param>
    /// <param name="frames">frames per patch.</param>
    public PatchAugmentation(MinMaxScaler scaler, int frames)
    {
        ArgumentNullException.ThrowIfNull(scaler);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        _bands = scaler.Bands;
        _frames = frames;
        _scale = Enumerable.Range(0, _bands).Select(scaler.Scale).ToArray();
    }

    /// <summary>Augments one patch in place; <paramref name="scratch"/> holds at least one band's frames.</summary>
    public void Apply(Span<float> patch, Random rng, Span<float> scratch)
    {
        if (patch.Length != _bands * _frames) throw new ArgumentException($"patch holds {patch.Length} values, expected {_bands}x{_frames}", nameof(patch));
        float logGain = (float)((rng.NextDouble() * 2 - 1) * MaxGainDb / 20 * Math.Log(10));
        int shift = rng.Next(-MaxShiftFrames, MaxShiftFrames + 1);
        var row = scratch[.._frames];
        for (int b = 0; b < _bands; b++)
        {
            var band = patch.Slice(b * _frames, _frames);
            float delta = logGain * _scale[b];
            for (int t = 0; t < _frames; t++)
                row[((t + shift) % _frames + _frames) % _frames] = band[t] + delta;
            row.CopyTo(band);
        }
        for (int m = 0; m < Masks; m++)
        {
            int width = rng.Next(0, MaxMaskBands + 1), start = rng.Next(0, _bands - width + 1);
            patch.Slice(start * _frames, width * _frames).Clear();
        }
        for (int m = 0; m < Masks; m++)
        {
            int width = rng.Next(0, MaxMaskFrames + 1), start = rng.Next(0, _frames - width + 1);
            for (int b = 0; b < _bands; b++) patch.Slice(b * _frames + start, width).Clear();
        }
        for (int i = 0; i < patch.Length; i++)
            if (!(patch[i] > 0)) patch[i] = 0;
    }
}
