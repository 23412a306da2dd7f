using Coala.ML.Audio;
using System.Collections.Concurrent;
using NWaves.Filters.Fda;
using NWaves.Transforms;

namespace Coala.ML.Features;

/// <summary>
/// The COALA log-mel frontend, with the reference's librosa semantics (xavierfav/coala utils.compute_spectrogram):
/// STFT with <see cref="FrontendSettings.FftSize"/> and <see cref="FrontendSettings.HopLength"/>, a periodic window
/// (librosa <c>get_window(fftbins=True)</c>), centred frames with reflect padding of n_fft/2 on both sides,
/// magnitude spectrum (power 1), Slaney-scale mel filter bank with Slaney area normalisation, natural
/// <c>log(mel + LogEpsilon)</c>. For n samples there are <c>1 + n / hop</c> frames.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: an instance owns its FFT and scratch buffers (no allocation per frame). Create one per
/// thread; construction is cheap because the window and the mel filter bank are built once per settings and
/// shared. <see cref="CoalaFrontend"/> is thread-safe (it pools instances).</para>
/// <para>Computed in double precision internally (float32 FFT noise would otherwise dominate log(mel + eps) in
/// quiet bands); the result is float32.</para>
/// <para>Reflect padding of a clip shorter than n_fft/2 + 1 samples reflects repeatedly, i.e. uses the
/// periodic extension with period 2(n - 1), as numpy's <c>np.pad(mode="reflect")</c> used by the reference's
/// librosa 0.7; a one-sample clip is extended with its one value.</para>
/// </remarks>
internal sealed class LogMelSpectrogram
{
    /// <summary>Immutable, shareable precomputation for one <see cref="FrontendSettings"/>.</summary>
    private sealed class Plan
    {
        public required double[] Window { get; init; }
        public required int[] MelStart { get; init; }
        public required double[][] MelWeights { get; init; }
    }

    private static readonly ConcurrentDictionary<FrontendSettings, Plan> Plans = new();

    private readonly Plan _plan;
    private readonly RealFft64 _fft;
    private readonly double[] _frame, _re, _im, _mag;
    private readonly int _nfft, _hop, _bands;
    private readonly double _eps;

    public FrontendSettings Settings { get; }

    /// <summary>Creates a frontend; throws <see cref="CoalaException"/> for invalid settings.</summary>
    public LogMelSpectrogram(FrontendSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        _plan = Plans.GetOrAdd(settings, BuildPlan);
        _nfft = settings.FftSize;
        _hop = settings.HopLength;
        _bands = settings.MelBands;
        _eps = settings.LogEpsilon;
        _fft = new RealFft64(_nfft);
        _frame = new double[_nfft];
        _re = new double[_nfft / 2 + 1];
        _im = new double[_nfft / 2 + 1];
        _mag = new double[_nfft / 2 + 1];
    }

    private static Plan BuildPlan(FrontendSettings s)
    {
        // Periodic window (librosa get_window(..., fftbins=True), torch.hann_window/hamming_window defaults):
        // w[i] = a - (1 - a) cos(2 pi i / N). NWaves' windows are the symmetric kind (divide by N - 1).
        double a = s.Window switch
        {
            WindowKind.Hann => 0.5,
            WindowKind.Hamming => 0.54,
            _ => throw new CoalaException($"invalid frontend setting: window {s.Window}"),
        };
        var window = new double[s.FftSize];
        for (int i = 0; i < window.Length; i++)
            window[i] = a - (1 - a) * Math.Cos(2 * Math.PI * i / s.FftSize);

        var (start, weights) = MelFilterBank.Slaney(s.MelBands, s.FftSize, s.SampleRate, s.FMin, s.EffectiveFMax);
        return new Plan { Window = window, MelStart = start, MelWeights = weights };
    }

    /// <summary>Frames for <paramref name="samples"/> samples: <c>1 + samples / hop</c> (librosa center=True).</summary>
    public int FrameCount(int samples) => (int)Settings.FrameCount(samples);

    /// <summary>
    /// The log-mel spectrogram of <paramref name="samples"/> (at <see cref="FrontendSettings.SampleRate"/>),
    /// [bands, 1 + n / hop]. Empty input or a NaN/infinite sample is a <see cref="CoalaException"/> naming
    /// <paramref name="source"/>.
    /// </summary>
    public Spectrogram Compute(ReadOnlySpan<float> samples, string? source = null) => Compute(samples, samples.Length, source);

    /// <summary>
    /// The log-mel spectrogram of <paramref name="samples"/> zero-extended at the end to <paramref name="length"/>
    /// samples (&gt;= samples.Length), [bands, 1 + length / hop].
    /// </summary>
    public Spectrogram Compute(ReadOnlySpan<float> samples, int length, string? source = null)
    {
        Validate(samples, source);
        if (length < samples.Length) throw new ArgumentOutOfRangeException(nameof(length), length, $"shorter than the {samples.Length} samples");
        int frames = FrameCount(length);
        var data = new float[_bands * frames];
        for (int t = 0; t < frames; t++) WriteFrame(samples, length, t, data, t, frames);
        return new Spectrogram(_bands, frames, data);
    }

    /// <summary>Throws <see cref="CoalaException"/> for empty input or a non-finite sample.</summary>
    internal static void Validate(ReadOnlySpan<float> samples, string? source) => AudioSamples.Check(samples, source);

    /// <summary>
    /// Computes frame <paramref name="t"/> of the signal <paramref name="x"/> zero-extended to
    /// <paramref name="length"/> samples (&gt;= x.Length; the virtual signal is then centred and reflect-padded),
    /// and writes band b to <c>dest[offset + b * bandStride]</c>. Input must already be validated.
    /// </summary>
    internal void WriteFrame(ReadOnlySpan<float> x, int length, int t, Span<float> dest, int offset, int bandStride)
        => WriteFrame(x, 0, x.Length, length, t, dest, offset, bandStride);

    /// <summary>
    /// The streaming form of <see cref="WriteFrame(ReadOnlySpan{float}, int, int, Span{float}, int, int)"/>, with
    /// identical arithmetic: <paramref name="x"/> holds samples <paramref name="xStart"/> .. xStart + x.Length - 1 of a
    /// signal of <paramref name="count"/> real samples zero-extended to <paramref name="length"/> (&gt;= count), then
    /// centred and reflect-padded. Every sample below <paramref name="count"/> that the frame reads must be in
    /// <paramref name="x"/>.
    /// </summary>
    internal void WriteFrame(ReadOnlySpan<float> x, long xStart, long count, long length, long t, Span<float> dest, int offset, int bandStride)
    {
        var w = _plan.Window;
        var frame = _frame;
        long start = t * _hop - _nfft / 2;
        if (start >= xStart && start + _nfft <= xStart + x.Length && start + _nfft <= count)
        {
            var src = x.Slice((int)(start - xStart), _nfft);
            for (int k = 0; k < _nfft; k++) frame[k] = src[k] * w[k];
        }
        else
        {
            for (int k = 0; k < _nfft; k++)
            {
                long j = Reflect(start + k, length);
                if (j < count && (j < xStart || j - xStart >= x.Length))
                    throw new InvalidOperationException($"frame {t} reads sample {j}, outside the buffered {xStart}..{xStart + x.Length - 1}");   // internal invariant
                frame[k] = j < count ? x[(int)(j - xStart)] * w[k] : 0.0;
            }
        }

        _fft.Direct(frame, _re, _im);
        var mag = _mag;
        for (int k = 0; k < mag.Length; k++) mag[k] = Math.Sqrt(_re[k] * _re[k] + _im[k] * _im[k]);

        var starts = _plan.MelStart;
        var weights = _plan.MelWeights;
        for (int b = 0; b < _bands; b++)
        {
            var wb = weights[b];
            var m = mag.AsSpan(starts[b], wb.Length);
            double sum = 0;
            for (int k = 0; k < wb.Length; k++) sum += wb[k] * m[k];
            dest[offset + b * bandStride] = (float)Math.Log(sum + _eps);
        }
    }

    /// <summary>Index into a signal of <paramref name="length"/> samples under numpy reflect padding (<see cref="MelFilterBank.ReflectIndex"/>).</summary>
    internal static int Reflect(int i, int length) => (int)MelFilterBank.ReflectIndex(i, length);

    private static long Reflect(long i, long length) => MelFilterBank.ReflectIndex(i, length);
}
