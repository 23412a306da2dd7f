using NWaves.Filters.Fda;

namespace Coala.ML.Features;

/// <summary>
/// The Slaney mel filter bank (librosa <c>filters.mel(htk=False, norm="slaney")</c>; NWaves' bank matches it to
/// ~6e-8) trimmed to each filter's non-zero bins, and the reflect padding of centred STFT frames: the two pieces of the
/// log-mel frontend that the descriptor analysis (<c>coala correlate</c>) shares with it.
/// </summary>
public static class MelFilterBank
{
    /// <summary>
    /// The bank of <paramref name="bands"/> filters over the <c>fftSize / 2 + 1</c> bins: for band b, its first non-zero
    /// bin <c>Start[b]</c> and its weights from there <c>Weights[b]</c> (empty for a filter with no bin).
    /// </summary>
    public static (int[] Start, double[][] Weights) Slaney(int bands, int fftSize, int sampleRate, double fMin, double fMax)
    {
        var bank = FilterBanks.MelBankSlaney(bands, fftSize, sampleRate, fMin, fMax);
        var start = new int[bands];
        var weights = new double[bands][];
        int bins = fftSize / 2 + 1;
        for (int b = 0; b < bands; b++)
        {
            var f = bank[b];
            int lo = 0, hi = Math.Min(f.Length, bins) - 1;
            while (lo <= hi && f[lo] == 0) lo++;
            while (hi >= lo && f[hi] == 0) hi--;
            start[b] = lo;
            weights[b] = new double[Math.Max(0, hi - lo + 1)];
            for (int k = lo; k <= hi; k++) weights[b][k - lo] = f[k];
        }
        return (start, weights);
    }

    /// <summary>
    /// Index into a signal of <paramref name="length"/> samples under numpy reflect padding (<c>np.pad(mode="reflect")</c>,
    /// librosa's centred frames): the periodic extension with period 2(length - 1); a one-sample signal repeats its value.
    /// </summary>
    public static long ReflectIndex(long i, long length)
    {
        if ((ulong)i < (ulong)length) return i;
        if (length == 1) return 0;
        long period = 2 * (length - 1);
        i %= period;
        if (i < 0) i += period;
        return i < length ? i : period - i;
    }
}
