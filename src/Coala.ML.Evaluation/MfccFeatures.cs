using Coala.ML.Features;
using System.Collections.Concurrent;
using Coala.ML.Audio;
using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Filters.Fda;
using NWaves.Windows;

namespace Coala.ML.Evaluation;

/// <summary>
/// The MFCC baseline: 20 MFCCs with their deltas and delta-deltas, summarised by mean and standard deviation over
/// time = 120 values, in the order [mean(mfcc), mean(delta), mean(delta2), std(mfcc), std(delta), std(delta2)].
/// Settings follow librosa's defaults as far as NWaves 0.9.6 allows (documented so results can be compared):
/// audio resampled to the COALA rate (22000 Hz), zero-padded by half a frame at both ends (librosa center=True,
/// pad_mode constant), 1024-sample Hann frames every 512 samples (the COALA frontend's), power spectrum,
/// 128 Slaney-style mel filters with Slaney area normalisation from 0 Hz to Nyquist, 10·log10 with a 1e-10 floor
/// (librosa power_to_db without the top_db clamp), orthonormal DCT-II, no liftering.
/// Deltas as librosa.feature.delta (width 9, Savitzky-Golay, mode "interp"). Thread-safe.
/// </summary>
public sealed class MfccFeatures : IFeatureExtractor
{
    public const int SampleRate = FrontendSettings.ReferenceSampleRate, FrameSize = FrontendSettings.ReferenceFftSize, HopSize = FrontendSettings.ReferenceHopLength, MelBands = 128, Coefficients = 20, DeltaWidth = 9;
    public const float LogFloor = 1e-10f;

    private readonly ConcurrentBag<MfccExtractor> _pool = new();
    private readonly MfccOptions _options;

    public MfccFeatures(string name = "MFCC")
    {
        Name = name;
        var bank = FilterBanks.MelBankSlaney(MelBands, FrameSize, SampleRate, 0, SampleRate / 2.0, true);
        _options = new MfccOptions
        {
            SamplingRate = SampleRate,
            FrameSize = FrameSize,
            HopSize = HopSize,
            FftSize = FrameSize,
            FeatureCount = Coefficients,
            FilterBank = bank,
            Window = WindowType.Hann,
            SpectrumType = SpectrumType.Power,
            NonLinearity = NonLinearityType.ToDecibel,
            LogFloor = LogFloor,
            DctType = "2N",
            LifterSize = 0,
        };
        _pool.Add(new MfccExtractor(_options));
    }

    public string Name { get; }
    public int Dimension => 6 * Coefficients;

    public float[] Extract(string path)
    {
        var clip = AudioReader.Read(path);
        return FromSamples(clip.Samples, clip.SampleRate, path);
    }

    /// <summary>Features of mono samples at <paramref name="sampleRate"/> Hz; <paramref name="source"/> names them in errors.</summary>
    public float[] FromSamples(ReadOnlySpan<float> samples, int sampleRate, string source)
    {
        AudioSamples.Check(samples, sampleRate, source);
        var x = sampleRate == SampleRate ? samples.ToArray() : AudioResampler.Resample(samples, sampleRate, SampleRate);

        // librosa center=True: half a frame of zeros at each end, so frame t is centred on sample t * hop.
        var padded = new float[x.Length + FrameSize];
        x.CopyTo(padded, FrameSize / 2);
        var extractor = _pool.TryTake(out var e) ? e : new MfccExtractor(_options);
        List<float[]> frames;
        try { frames = extractor.ComputeFrom(padded); }
        finally { _pool.Add(extractor); }
        if (frames.Count == 0) throw new CoalaException("the audio is too short for one MFCC frame", source);

        int t = frames.Count;
        var mfcc = new float[Coefficients, t];
        for (int f = 0; f < t; f++)
            for (int c = 0; c < Coefficients; c++) mfcc[c, f] = frames[f][c];
        var d1 = Delta(mfcc, 1);
        var d2 = Delta(mfcc, 2);

        var result = new float[Dimension];
        int o = 0;
        foreach (var m in new[] { mfcc, d1, d2 }) for (int c = 0; c < Coefficients; c++) result[o++] = (float)Mean(m, c);
        foreach (var m in new[] { mfcc, d1, d2 }) for (int c = 0; c < Coefficients; c++) result[o++] = (float)Std(m, c);
        for (int i = 0; i < result.Length; i++)
            if (!float.IsFinite(result[i])) throw new CoalaException($"MFCC feature {i} is not finite", source);
        return result;
    }

    /// <summary>
    /// librosa.feature.delta(order 1 or 2, width 9, mode "interp"): a Savitzky-Golay derivative of polynomial
    /// order = derivative order along time. Interior frames use the centred least-squares window; the first and
    /// last half-width frames take the derivative of the polynomial fitted to the first / last window, which for
    /// these orders is the centred value of that window. Clips shorter than 9 frames use the largest odd width
    /// that fits (at least 3); shorter than 3 frames give zeros.
    /// </summary>
    internal static float[,] Delta(float[,] x, int order)
    {
        if (order is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(order));
        int rows = x.GetLength(0), t = x.GetLength(1);
        var d = new float[rows, t];
        int width = Math.Min(DeltaWidth, t % 2 == 1 ? t : t - 1);
        if (width < 3) return d;
        int h = width / 2;
        var w = new double[width];
        if (order == 1)
        {
            double s = 0;
            for (int n = -h; n <= h; n++) s += n * n;
            for (int n = -h; n <= h; n++) w[n + h] = n / s;
        }
        else
        {
            double m = 0;
            for (int n = -h; n <= h; n++) m += n * n;
            m /= width;
            double s = 0;
            for (int n = -h; n <= h; n++) s += (n * n - m) * (n * n - m);
            for (int n = -h; n <= h; n++) w[n + h] = 2 * (n * n - m) / s;
        }
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < t; f++)
            {
                int centre = Math.Clamp(f, h, t - 1 - h);
                double v = 0;
                for (int n = -h; n <= h; n++) v += w[n + h] * x[r, centre + n];
                d[r, f] = (float)v;
            }
        return d;
    }

    private static double Mean(float[,] m, int row)
    {
        int t = m.GetLength(1);
        double s = 0;
        for (int f = 0; f < t; f++) s += m[row, f];
        return s / t;
    }

    private static double Std(float[,] m, int row)
    {
        int t = m.GetLength(1);
        double mean = Mean(m, row), s = 0;
        for (int f = 0; f < t; f++) s += (m[row, f] - mean) * (m[row, f] - mean);
        return Math.Sqrt(s / t);
    }

    public void Dispose() { }
}
