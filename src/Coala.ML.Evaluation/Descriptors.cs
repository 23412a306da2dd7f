using Coala.ML.Features;
using System.Runtime.CompilerServices;
using Coala.ML.Audio;
using NWaves.Filters.Fda;
using NWaves.Transforms;

namespace Coala.ML.Evaluation;

/// <summary>
/// The low-level acoustic descriptors the paper correlates with embeddings (section 3.3; reference
/// xavierfav/coala scripts/analyse_sounds.py, librosa 0.7 semantics), computed in double precision:
/// <list type="number">
/// <item>audio at <see cref="DescriptorSettings.SampleRate"/> (resampled with <see cref="AudioResampler"/>), zero-padded to
/// 10 s plus uniform noise in [0, 5e-4) over the whole buffer (reference utils.pad; a longer clip is used as is, without
/// noise);</item>
/// <item>|STFT| (periodic Hann, centred, reflect padding) and the log-power mel spectrogram (128 Slaney bands on |STFT|²,
/// <c>10 log10(max(1e-10, S))</c> floored at its maximum minus 80 dB over the whole clip);</item>
/// <item>the 96-frame window (every 12 frames) with the largest summed |STFT|, the first on ties;</item>
/// <item>on that window: 20 MFCCs (orthonormal DCT-II of the dB mel bands), chroma_stft on |STFT| (12 bins from C,
/// tuning estimated by librosa's piptrack/pitch_tuning, each frame divided by its maximum), spectral centroid
/// <c>Σ f S / Σ S</c> and bandwidth <c>sqrt(Σ S (f - centroid)² / Σ S)</c> (silent frames give 0);</item>
/// <item>per dimension: mean, variance (population) and skewness (biased, scipy.stats.skew; 0 for a constant row).</item>
/// </list>
/// Thread-safe.
/// </summary>
public static class Descriptors
{
    /// <summary>Table 2's rows in order.</summary>
    public static IReadOnlyList<DescriptorGroup> Groups { get; } = Enum.GetValues<DescriptorGroup>();

    /// <summary>Row label as in the paper's Table 2 (e.g. "MFCC mean").</summary>
    public static string Label(DescriptorGroup g) => g switch
    {
        DescriptorGroup.MfccMean => "MFCC mean",
        DescriptorGroup.MfccVariance => "MFCC var",
        DescriptorGroup.MfccSkewness => "MFCC skew",
        DescriptorGroup.ChromaMean => "Chroma mean",
        DescriptorGroup.ChromaVariance => "Chroma var",
        DescriptorGroup.ChromaSkewness => "Chroma skew",
        DescriptorGroup.CentroidMean => "Spectral centroid mean",
        DescriptorGroup.CentroidVariance => "Spectral centroid var",
        DescriptorGroup.CentroidSkewness => "Spectral centroid skew",
        DescriptorGroup.BandwidthMean => "Spectral bandwidth mean",
        DescriptorGroup.BandwidthVariance => "Spectral bandwidth var",
        DescriptorGroup.BandwidthSkewness => "Spectral bandwidth skew",
        _ => g.ToString(),
    };

    /// <summary>Number of values in <paramref name="g"/> under <paramref name="s"/>.</summary>
    public static int Dimension(DescriptorGroup g, DescriptorSettings? s = null) => ((int)g / 3) switch
    {
        0 => (s ?? DescriptorSettings.Default).MfccCount,
        1 => 12,
        _ => 1,
    };

    /// <summary>Descriptors of an audio file. Any failure is a <see cref="CoalaException"/> naming the file.</summary>
    public static ClipDescriptors FromFile(string path, DescriptorSettings? settings = null)
    {
        var clip = AudioReader.Read(path);
        return FromSamples(clip.Samples, clip.SampleRate, path, settings);
    }

    /// <summary>Descriptors of mono samples at <paramref name="sampleRate"/> Hz.</summary>
    public static ClipDescriptors FromSamples(ReadOnlySpan<float> samples, int sampleRate, string source, DescriptorSettings? settings = null)
        => new(Frames(samples, sampleRate, source, settings));

    /// <summary>Frame-level features of the analysed window (steps 1-4 of the class summary).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FrameFeatures Frames(ReadOnlySpan<float> samples, int sampleRate, string source, DescriptorSettings? settings = null)
    {
        var s = settings ?? DescriptorSettings.Default;
        s.Validate();
        AudioSamples.Check(samples, sampleRate, source);
        float[] atRate = sampleRate == s.SampleRate ? samples.ToArray() : AudioResampler.Resample(samples, sampleRate, s.SampleRate);
        if (atRate.Length == 0) throw new CoalaException("the audio is too short to resample", source);

        var x = Pad(atRate, s);
        var mag = Magnitude(x, s.FftSize, s.HopLength);           // [frame][bin]
        int frames = mag.Length, bins = s.FftSize / 2 + 1;
        var melDb = MelDb(mag, s);                                  // [frame][band]

        // Window with the largest summed magnitude (librosa.util.frame(frame_length=96, hop_length=12) + argmax).
        int w = Math.Min(s.WindowFrames, frames);
        int windows = 1 + (frames - w) / s.WindowStep, best = 0;
        double bestSum = double.NegativeInfinity;
        var colSum = mag.Select(f => f.Sum()).ToArray();
        for (int i = 0; i < windows; i++)
        {
            double sum = 0;
            for (int t = 0; t < w; t++) sum += colSum[i * s.WindowStep + t];
            if (sum > bestSum) { bestSum = sum; best = i; }
        }
        var S = mag.Skip(best * s.WindowStep).Take(w).ToArray();
        var M = melDb.Skip(best * s.WindowStep).Take(w).ToArray();

        var mfcc = Mfcc(M, s.MfccCount);
        double tuning = EstimateTuning(S, s.SampleRate, s.FftSize);
        var chroma = Chroma(S, ChromaFilterBank(s.SampleRate, s.FftSize, tuning));
        var centroid = new double[w];
        var bandwidth = new double[w];
        for (int t = 0; t < w; t++)
        {
            double total = 0, c = 0;
            for (int k = 0; k < bins; k++) { total += S[t][k]; c += S[t][k] * Frequency(k, s); }
            if (total < double.Epsilon) continue;   // silent frame: librosa's normalize leaves it all-zero
            c /= total;
            double b = 0;
            for (int k = 0; k < bins; k++) { double d = Frequency(k, s) - c; b += S[t][k] * d * d; }
            centroid[t] = c;
            bandwidth[t] = Math.Sqrt(b / total);
        }
        return new FrameFeatures(mfcc, chroma, centroid, bandwidth, tuning);
    }

    private static double Frequency(int bin, DescriptorSettings s) => bin * (double)s.SampleRate / s.FftSize;

    /// <summary>Mean, population variance and biased skewness (scipy.stats.skew, 0 when the variance is 0).</summary>
    public static (double Mean, double Variance, double Skewness) Summarize(ReadOnlySpan<double> v)
    {
        if (v.IsEmpty) throw new CoalaException("no frames to summarize");
        double mean = 0;
        foreach (double a in v) mean += a;
        mean /= v.Length;
        double m2 = 0, m3 = 0;
        foreach (double a in v) { double d = a - mean; m2 += d * d; m3 += d * d * d; }
        m2 /= v.Length;
        m3 /= v.Length;
        // Treat rounding-level variance as zero, as scipy does (resolution * mean)².
        double tiny = 1e-15 * Math.Abs(mean);
        double skew = m2 <= tiny * tiny || m2 == 0 ? 0 : m3 / Math.Pow(m2, 1.5);
        return (mean, m2, skew);
    }

    /// <summary>Reference utils.pad: zeros to PadSeconds then uniform noise on the whole buffer; longer clips unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[] Pad(float[] audio, DescriptorSettings s)
    {
        int target = (int)Math.Round(s.PadSeconds * s.SampleRate);
        if (audio.Length > target) return audio.Select(a => (double)a).ToArray();
        var z = new double[target];
        for (int i = 0; i < audio.Length; i++) z[i] = audio[i];
        if (s.NoiseAmplitude > 0)
        {
            var rng = new Random(s.NoiseSeed);
            for (int i = 0; i < z.Length; i++) z[i] += s.NoiseAmplitude * rng.NextDouble();
        }
        return z;
    }

    /// <summary>|STFT| with a periodic Hann window, centred frames and reflect padding (librosa 0.7), [frame][bin].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[][] Magnitude(double[] x, int nfft, int hop)
    {
        int frames = 1 + x.Length / hop, bins = nfft / 2 + 1;
        var window = new double[nfft];
        for (int i = 0; i < nfft; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / nfft);
        var fft = new RealFft64(nfft);
        var frame = new double[nfft];
        var re = new double[bins];
        var im = new double[bins];
        var result = new double[frames][];
        for (int t = 0; t < frames; t++)
        {
            int start = t * hop - nfft / 2;
            for (int k = 0; k < nfft; k++)
                frame[k] = x[MelFilterBank.ReflectIndex(start + k, x.Length)] * window[k];
            fft.Direct(frame, re, im);
            var m = result[t] = new double[bins];
            for (int k = 0; k < bins; k++) m[k] = Math.Sqrt(re[k] * re[k] + im[k] * im[k]);
        }
        return result;
    }

    /// <summary>librosa.power_to_db(melspectrogram(power=2)) with ref 1, amin 1e-10, top_db over all frames; [frame][band].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[][] MelDb(double[][] mag, DescriptorSettings s)
    {
        var (start, weights) = MelBanks.GetOrAdd(s, static s => MelFilterBank.Slaney(s.MelBands, s.FftSize, s.SampleRate, 0, s.SampleRate / 2.0));
        var db = new double[mag.Length][];
        var power = new double[mag.Length == 0 ? 0 : mag[0].Length];
        double max = double.NegativeInfinity;
        for (int t = 0; t < mag.Length; t++)
        {
            for (int k = 0; k < power.Length; k++) power[k] = mag[t][k] * mag[t][k];
            var row = db[t] = new double[s.MelBands];
            for (int b = 0; b < s.MelBands; b++)
            {
                var w = weights[b];
                var p = power.AsSpan(start[b], w.Length);
                double sum = 0;
                for (int k = 0; k < w.Length; k++) sum += w[k] * p[k];
                row[b] = 10 * Math.Log10(Math.Max(1e-10, sum));
                if (row[b] > max) max = row[b];
            }
        }
        double floor = max - s.TopDb;
        foreach (var row in db)
            for (int b = 0; b < row.Length; b++) row[b] = Math.Max(row[b], floor);
        return db;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<DescriptorSettings, (int[] Start, double[][] Weights)> MelBanks = new();

    /// <summary>First <paramref name="count"/> coefficients of the orthonormal DCT-II over bands; [coefficient][frame].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[][] Mfcc(double[][] melDb, int count)
    {
        int bands = melDb[0].Length;
        var result = new double[count][];
        for (int c = 0; c < count; c++)
        {
            result[c] = new double[melDb.Length];
            double scale = Math.Sqrt((c == 0 ? 1.0 : 2.0) / bands);
            var cos = new double[bands];
            for (int n = 0; n < bands; n++) cos[n] = Math.Cos(Math.PI * c * (2 * n + 1) / (2.0 * bands));
            for (int t = 0; t < melDb.Length; t++)
            {
                double sum = 0;
                for (int n = 0; n < bands; n++) sum += melDb[t][n] * cos[n];
                result[c][t] = scale * sum;
            }
        }
        return result;
    }

    /// <summary>librosa.filters.chroma(sr, n_fft, n_chroma=12, tuning, ctroct=5, octwidth=2, norm=2, base_c=True); [chroma][bin].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[][] ChromaFilterBank(int sampleRate, int nfft, double tuning)
    {
        const int n = 12;
        double a440 = 440.0 * Math.Pow(2.0, tuning / n);
        // frqbins over the full FFT (bins 1..nfft-1), with bin 0 set 1.5 octaves below bin 1.
        var frq = new double[nfft];
        for (int k = 1; k < nfft; k++) frq[k] = n * Math.Log2(k * (double)sampleRate / nfft / (a440 / 16));
        frq[0] = frq[1] - 1.5 * n;
        var width = new double[nfft];
        for (int k = 0; k < nfft - 1; k++) width[k] = Math.Max(frq[k + 1] - frq[k], 1.0);
        width[nfft - 1] = 1;

        var w = new double[n][];
        for (int c = 0; c < n; c++) w[c] = new double[nfft];
        double half = Math.Round(n / 2.0);
        for (int k = 0; k < nfft; k++)
        {
            double norm = 0;
            for (int c = 0; c < n; c++)
            {
                double d = frq[k] - c;
                d = ((d + half + 10 * n) % n + n) % n - half;    // numpy remainder: result has the divisor's sign
                double v = Math.Exp(-0.5 * Math.Pow(2 * d / width[k], 2));
                w[c][k] = v;
                norm += v * v;
            }
            norm = Math.Sqrt(norm);
            double oct = Math.Exp(-0.5 * Math.Pow((frq[k] / n - 5.0) / 2.0, 2));
            for (int c = 0; c < n; c++) w[c][k] = (norm > 0 ? w[c][k] / norm : w[c][k]) * oct;
        }
        // base_c: roll by -3 so that row 0 is C; keep the non-negative frequencies.
        int bins = nfft / 2 + 1;
        var result = new double[n][];
        for (int c = 0; c < n; c++) result[c] = w[(c + 3) % n][..bins];
        return result;
    }

    /// <summary>chroma_stft(S): filter bank times |STFT|, each frame divided by its maximum; [chroma][frame].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[][] Chroma(double[][] mag, double[][] bank)
    {
        var result = new double[bank.Length][];
        for (int c = 0; c < bank.Length; c++) result[c] = new double[mag.Length];
        for (int t = 0; t < mag.Length; t++)
        {
            double max = 0;
            for (int c = 0; c < bank.Length; c++)
            {
                double sum = 0;
                for (int k = 0; k < mag[t].Length; k++) sum += bank[c][k] * mag[t][k];
                result[c][t] = sum;
                max = Math.Max(max, Math.Abs(sum));
            }
            if (max >= 1.1754943508222875e-38)    // librosa normalize leaves (near-)zero frames unscaled
                for (int c = 0; c < bank.Length; c++) result[c][t] /= max;
        }
        return result;
    }

    /// <summary>
    /// librosa.estimate_tuning(S, sr, bins_per_octave=12): piptrack (peaks above 0.1 × the frame maximum between
    /// 150 and 4000 Hz, parabolic interpolation), keep pitches whose magnitude is at least the median, then the mode of
    /// their deviation from equal temperament in a 0.01-wide histogram over [-0.5, 0.5]. In fractions of a bin.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double EstimateTuning(double[][] mag, int sampleRate, int nfft)
    {
        const double tiny = 1.1754943508222875e-38;
        double fmin = 150, fmax = Math.Min(4000, sampleRate / 2.0);
        var pitches = new List<double>();
        var mags = new List<double>();
        foreach (var s in mag)
        {
            int bins = s.Length;
            double refValue = 0.1 * s.Max();
            for (int k = 1; k < bins - 1; k++)   // avg/shift are zero-padded at the ends, so edge peaks never yield pitches
            {
                double f = k * (double)sampleRate / nfft;
                if (f < fmin || f >= fmax) continue;
                double here = s[k] > refValue ? s[k] : 0;
                double left = s[k - 1] > refValue ? s[k - 1] : 0;
                double right = s[k + 1] > refValue ? s[k + 1] : 0;
                if (!(here > left && here >= right)) continue;
                double avg = 0.5 * (s[k + 1] - s[k - 1]);
                double den = 2 * s[k] - s[k + 1] - s[k - 1];
                double shift = avg / (den + (Math.Abs(den) < tiny ? 1 : 0));
                double pitch = (k + shift) * sampleRate / nfft;
                if (pitch > 0)
                {
                    pitches.Add(pitch);
                    mags.Add(s[k] + 0.5 * avg * shift);
                }
            }
        }
        if (pitches.Count == 0) return 0;
        var sorted = mags.Order().ToArray();
        int m = sorted.Length;
        double median = m % 2 == 1 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);

        var counts = new int[100];
        bool any = false;
        for (int i = 0; i < pitches.Count; i++)
        {
            if (mags[i] < median) continue;
            double r = 12 * Math.Log2(pitches[i] / (440.0 / 16));
            r -= Math.Floor(r);
            if (r >= 0.5) r -= 1;
            int bin = Math.Clamp((int)Math.Floor((r + 0.5) * 100), 0, 99);
            if (bin > 0 && r < Edge(bin)) bin--;
            else if (bin < 99 && r >= Edge(bin + 1)) bin++;
            counts[bin]++;
            any = true;
        }
        if (!any) return 0;
        int best = 0;
        for (int i = 1; i < counts.Length; i++) if (counts[i] > counts[best]) best = i;
        return Edge(best);

        static double Edge(int i) => -0.5 + i * 0.01;
    }
}
