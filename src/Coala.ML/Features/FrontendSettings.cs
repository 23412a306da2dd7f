using Coala.ML.Audio;
using System.Globalization;

namespace Coala.ML.Features;

/// <summary>
/// Everything the log-mel frontend needs, recorded in every model's ONNX metadata (keys <c>coala.*</c>)
/// so that a model can never be paired with the wrong frontend. Defaults are the reference implementation's
/// (xavierfav/coala utils.compute_spectrogram, librosa semantics).
/// </summary>
public sealed record FrontendSettings
{
    /// <summary>The rate the frontend works at, Hz (the reference: 22000); other rates are resampled to it.</summary>
    public int SampleRate { get; init; } = ReferenceSampleRate;
    /// <summary>STFT frame length in samples, a power of two (the reference: 1024).</summary>
    public int FftSize { get; init; } = ReferenceFftSize;
    /// <summary>STFT hop in samples (the reference: 512, 23.3 ms at 22 kHz).</summary>
    public int HopLength { get; init; } = ReferenceHopLength;

    /// <summary>
    /// The paper's analysis rate and STFT (xavierfav/coala): the one source of these numbers for the COALA frontend,
    /// the MFCC baseline and the descriptor analysis.
    /// </summary>
    public const int ReferenceSampleRate = 22000, ReferenceFftSize = 1024, ReferenceHopLength = 512;
    /// <summary>Mel bands (the reference: 96).</summary>
    public int MelBands { get; init; } = 96;
    /// <summary>Frames per patch, the encoder's input width (the reference: 96, 2.2 s).</summary>
    public int PatchFrames { get; init; } = 96;
    /// <summary>The STFT window (the reference code: Hann).</summary>
    public WindowKind Window { get; init; } = WindowKind.Hann;
    /// <summary>Added before the natural log: float32 machine epsilon, as the reference.</summary>
    public float LogEpsilon { get; init; } = 1.1920929e-07f;
    /// <summary>Lower mel edge in Hz (the reference: 0).</summary>
    public float FMin { get; init; } = 0f;
    /// <summary>Upper mel edge in Hz; <c>null</c> means SampleRate / 2.</summary>
    public float? FMax { get; init; }

    /// <summary>The upper mel edge in use: <see cref="FMax"/>, or half the sample rate.</summary>
    public float EffectiveFMax => FMax ?? SampleRate / 2f;

    /// <summary>Samples a clip needs (after resampling) to give exactly one patch with centred frames.</summary>
    public int MinSamplesForOnePatch => (PatchFrames - 1) * HopLength;

    /// <summary>Centred frames of <paramref name="samples"/> samples: <c>1 + samples / hop</c> (librosa center=True).</summary>
    public long FrameCount(long samples) => 1 + samples / HopLength;

    /// <summary>
    /// Patches a clip of <paramref name="samples"/> samples gives (the one place this is worked out): a clip shorter than
    /// one patch is zero-padded to <see cref="MinSamplesForOnePatch"/>, patches start every
    /// <paramref name="windowHopFrames"/> frames (default <see cref="PatchFrames"/>: no overlap) and a trailing partial
    /// patch is dropped. At least 1 for any non-empty clip, 0 for none.
    /// </summary>
    public long PatchCount(long samples, int? windowHopFrames = null)
    {
        if (samples <= 0) return 0;
        int hop = windowHopFrames ?? PatchFrames;
        return (FrameCount(Math.Max(samples, MinSamplesForOnePatch)) - PatchFrames) / hop + 1;
    }

    /// <summary>The reference's frontend: 22000 Hz, 1024 / 512, 96 Slaney bands, Hann, 96-frame patches.</summary>
    public static FrontendSettings Default { get; } = new();

    /// <summary>The largest FFT a model may ask for.</summary>
    public const int MaxFftSize = 1 << 16;
    /// <summary>The most values (bands x frames) a patch may hold.</summary>
    public const int MaxPatchValues = 1 << 20;

    /// <summary>Throws <see cref="CoalaException"/> naming the first invalid setting.</summary>
    public void Validate(string? source = null)
    {
        static void Check(bool ok, string what, string? src)
        {
            if (!ok) throw new CoalaException($"invalid frontend setting: {what}", src);
        }
        // Every bound is checked before anything is allocated from it (a model's metadata is input like any other):
        // an FFT of at most 65536 points (1.5 s at 44.1 kHz; the reference uses 1024), at most 512 mel bands and no
        // more than the FFT has bins, patches of at most 4096 frames and 2^20 values (4 MB; the reference: 96 x 96).
        Check(AudioSamples.IsValidRate(SampleRate), $"sample rate {SampleRate} Hz ({AudioSamples.RateBounds})", source);
        Check(FftSize is >= 16 and <= MaxFftSize && (FftSize & (FftSize - 1)) == 0, $"FFT size {FftSize} (expected a power of two in 16..{MaxFftSize})", source);
        Check(HopLength > 0 && HopLength <= FftSize, $"hop length {HopLength} (expected 1..FFT size)", source);
        Check(MelBands is > 0 and <= 512 && MelBands <= FftSize / 2 + 1, $"mel bands {MelBands} (expected 1..512 and at most FFT size / 2 + 1)", source);
        Check(PatchFrames is > 0 and <= 4096, $"patch frames {PatchFrames} (expected 1..4096)", source);
        Check((long)MelBands * PatchFrames <= MaxPatchValues, $"patches of {MelBands} x {PatchFrames} values (expected at most {MaxPatchValues})", source);
        Check(float.IsFinite(LogEpsilon) && LogEpsilon > 0, $"log epsilon {LogEpsilon}", source);
        Check(FMin >= 0 && FMin < EffectiveFMax && EffectiveFMax <= SampleRate / 2f, $"mel range {FMin}..{EffectiveFMax} Hz", source);
    }

    // ONNX metadata keys (model.metadata_props).
    internal const string KeySampleRate = "coala.sample_rate";
    internal const string KeyFftSize = "coala.n_fft";
    internal const string KeyHopLength = "coala.hop_length";
    internal const string KeyMelBands = "coala.n_mels";
    internal const string KeyPatchFrames = "coala.patch_frames";
    internal const string KeyWindow = "coala.window";
    internal const string KeyLogEpsilon = "coala.log_eps";
    internal const string KeyFMin = "coala.fmin";
    internal const string KeyFMax = "coala.fmax";
    internal const string KeyMel = "coala.mel";
    internal const string MelDescription = "slaney-scale,slaney-norm,magnitude,center-reflect";

    /// <summary>The settings as the <c>coala.*</c> metadata a model file carries (and a prepared corpus's manifest).</summary>
    public IReadOnlyDictionary<string, string> ToMetadata() => new Dictionary<string, string>
    {
        [KeySampleRate] = SampleRate.ToString(CultureInfo.InvariantCulture),
        [KeyFftSize] = FftSize.ToString(CultureInfo.InvariantCulture),
        [KeyHopLength] = HopLength.ToString(CultureInfo.InvariantCulture),
        [KeyMelBands] = MelBands.ToString(CultureInfo.InvariantCulture),
        [KeyPatchFrames] = PatchFrames.ToString(CultureInfo.InvariantCulture),
        [KeyWindow] = Window.ToString().ToLowerInvariant(),
        [KeyLogEpsilon] = LogEpsilon.ToString("R", CultureInfo.InvariantCulture),
        [KeyFMin] = FMin.ToString("R", CultureInfo.InvariantCulture),
        [KeyFMax] = EffectiveFMax.ToString("R", CultureInfo.InvariantCulture),
        [KeyMel] = MelDescription,
    };

    /// <summary>Reads settings back from ONNX metadata; a missing or malformed key is a <see cref="CoalaException"/>.</summary>
    public static FrontendSettings FromMetadata(IReadOnlyDictionary<string, string> meta, string? source = null)
    {
        string Get(string key) => meta.TryGetValue(key, out var v)
            ? v
            : throw new CoalaException($"model metadata lacks '{key}': not a Coala.ML model, or written by an incompatible version", source);
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            ? i : throw new CoalaException($"model metadata '{key}' = '{Get(key)}' is not an integer", source);
        float Float(string key) => float.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var f)
            ? f : throw new CoalaException($"model metadata '{key}' = '{Get(key)}' is not a number", source);

        if (Get(KeyMel) != MelDescription)
            throw new CoalaException($"model metadata '{KeyMel}' = '{Get(KeyMel)}': this version computes only '{MelDescription}'", source);
        var window = Get(KeyWindow) switch
        {
            "hann" => WindowKind.Hann,
            "hamming" => WindowKind.Hamming,
            var w => throw new CoalaException($"model metadata '{KeyWindow}' = '{w}': expected hann or hamming", source),
        };
        var s = new FrontendSettings
        {
            SampleRate = Int(KeySampleRate),
            FftSize = Int(KeyFftSize),
            HopLength = Int(KeyHopLength),
            MelBands = Int(KeyMelBands),
            PatchFrames = Int(KeyPatchFrames),
            Window = window,
            LogEpsilon = Float(KeyLogEpsilon),
            FMin = Float(KeyFMin),
            FMax = Float(KeyFMax),
        };
        s.Validate(source);
        return s;
    }
}
