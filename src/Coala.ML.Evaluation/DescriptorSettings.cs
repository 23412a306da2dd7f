using System.Runtime.CompilerServices;
using Coala.ML.Audio;
using Coala.ML.Features;
using NWaves.Filters.Fda;
using NWaves.Transforms;

namespace Coala.ML.Evaluation;

/// <summary>
/// Settings of the descriptor analysis; the defaults are the reference's (xavierfav/coala scripts/analyse_sounds.py
/// with librosa 0.7 defaults): 22000 Hz, n_fft 1024, hop 512, 128 mel bands, 20 MFCCs, top_db 80, clip padded to 10 s
/// with uniform noise of amplitude 5e-4, analysis restricted to the 96-frame window (windows every 12 frames) with
/// the largest summed STFT magnitude. <c>NoiseSeed</c> seeds the padding noise (the reference draws it unseeded;
/// fixed here so that runs repeat).
/// </summary>
public sealed record DescriptorSettings(
    int SampleRate = FrontendSettings.ReferenceSampleRate,
    int FftSize = FrontendSettings.ReferenceFftSize,
    int HopLength = FrontendSettings.ReferenceHopLength,
    int MelBands = 128,
    int MfccCount = 20,
    double TopDb = 80,
    double PadSeconds = 10,
    double NoiseAmplitude = 5e-4,
    int WindowFrames = 96,
    int WindowStep = 12,
    int NoiseSeed = 0)
{
    public static DescriptorSettings Default { get; } = new();

    /// <summary>Throws <see cref="CoalaException"/> for values the analysis cannot use.</summary>
    public void Validate()
    {
        if (!AudioSamples.IsValidRate(SampleRate)) throw new CoalaException($"descriptor sample rate {SampleRate} Hz is not valid ({AudioSamples.RateBounds})");
        if (FftSize < 16 || (FftSize & (FftSize - 1)) != 0) throw new CoalaException($"descriptor n_fft {FftSize} must be a power of two >= 16");
        if (HopLength < 1 || HopLength > FftSize) throw new CoalaException($"descriptor hop {HopLength} must be in 1..n_fft");
        if (MelBands < 1 || MfccCount < 1 || MfccCount > MelBands) throw new CoalaException($"descriptor {MfccCount} MFCCs from {MelBands} mel bands is not valid");
        if (!(TopDb > 0) || !double.IsFinite(PadSeconds) || PadSeconds < 0 || PadSeconds > 3600 || !(NoiseAmplitude >= 0))
            throw new CoalaException($"descriptor top_db {TopDb}, padding {PadSeconds} s or noise {NoiseAmplitude} is not valid");
        if (WindowFrames < 2 || WindowStep < 1) throw new CoalaException($"descriptor window {WindowFrames} frames / step {WindowStep} is not valid");
    }
}
