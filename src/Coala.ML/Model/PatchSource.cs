using Coala.ML.Audio;
using Coala.ML.Features;

namespace Coala.ML.Model;

/// <summary>
/// Audio (a file or samples at any rate) → the model's input: unscaled log-mel patches [patch, band, frame].
/// The single path from audio to patches that the CLI, <see cref="CoalaEmbedder"/> and the ML.NET transform share.
/// Thread-safe (so is <see cref="CoalaFrontend"/>).
/// </summary>
internal sealed class PatchSource
{
    private readonly CoalaFrontend _frontend;

    public PatchSource(FrontendSettings settings)
    {
        settings.Validate();
        Settings = settings;
        _frontend = new CoalaFrontend(settings);
    }

    public FrontendSettings Settings { get; }

    public float[] FromFile(string path, out int patchCount)
    {
        var clip = AudioReader.Read(path);
        return FromSamples(clip.Samples, clip.SampleRate, path, out patchCount);
    }

    public float[] FromSamples(ReadOnlySpan<float> samples, int sampleRate, string source, out int patchCount)
    {
        if (sampleRate <= 0 || sampleRate > 768_000)
            throw new CoalaException($"sample rate {sampleRate} Hz is not valid", source);
        if (samples.IsEmpty)
            throw new CoalaException("the audio has no samples", source);
        for (int i = 0; i < samples.Length; i++)
            if (!float.IsFinite(samples[i]))
                throw new CoalaException($"NaN/Inf sample at index {i}", source);
        ReadOnlySpan<float> atRate = sampleRate == Settings.SampleRate
            ? samples
            : AudioResampler.Resample(samples, sampleRate, Settings.SampleRate);
        return _frontend.EmbeddingPatches(atRate, out patchCount, source);
    }
}
