using Coala.ML.Audio;
using Coala.ML.Features;

namespace Coala.ML.Model;

/// <summary>
/// Audio (a file or samples at any rate) → the model's input: unscaled log-mel patches [patch, band, frame].
/// The single path from audio to patches that the CLI, <see cref="CoalaEmbedder"/> and the ML.NET transform share.
/// Thread-safe (so is <see cref="CoalaFrontend"/>).
/// </summary>
public sealed class PatchSource
{
    private readonly CoalaFrontend _frontend;

    /// <summary>A source of patches computed with <paramref name="settings"/>.</summary>
    public PatchSource(FrontendSettings settings)
    {
        settings.Validate();
        Settings = settings;
        _frontend = new CoalaFrontend(settings);
    }

    /// <summary>The frontend settings of the patches.</summary>
    public FrontendSettings Settings { get; }

    /// <summary>
    /// All patches of a file at once (what <see cref="FromSamples"/> gives on the whole decoded file, bit for bit),
    /// computed by streaming: only the patches are held, never the decoded or resampled audio.
    /// </summary>
    public float[] FromFile(string path, out int patchCount)
    {
        using var stream = OpenFile(path);
        int per = stream.PatchValues;
        var patches = new float[per * 16];
        int count = 0;
        while (true)
        {
            if ((long)(count + 16) * per > patches.Length)
            {
                long size = Math.Max((long)(count + 16) * per, 2L * patches.Length);
                if (size > Array.MaxLength)
                    throw new CoalaException($"the audio gives more than {Array.MaxLength / per} patches; embed it as a stream", path);
                Array.Resize(ref patches, (int)size);
            }
            int got = stream.Read(patches.AsSpan(count * per, 16 * per));
            if (got == 0) break;
            count += got;
        }
        Array.Resize(ref patches, count * per);
        patchCount = count;
        return patches;
    }

    /// <summary>Opens a file's patches as a stream (bounded memory whatever the file's length).</summary>
    public PatchStream OpenFile(string path, int? windowHopFrames = null) => new(path, Settings, windowHopFrames);

    internal float[] FromSamples(ReadOnlySpan<float> samples, int sampleRate, string source, out int patchCount)
    {
        AudioSamples.Check(samples, sampleRate, source);
        ReadOnlySpan<float> atRate = sampleRate == Settings.SampleRate
            ? samples
            : AudioResampler.Resample(samples, sampleRate, Settings.SampleRate);
        return _frontend.EmbeddingPatches(atRate, out patchCount, source);
    }
}
