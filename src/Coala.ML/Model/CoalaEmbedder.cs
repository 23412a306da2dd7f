using Coala.ML.Model;

namespace Coala.ML;

/// <summary>
/// Embeds audio with a Coala.ML encoder outside ML.NET: a file or samples in, one vector out
/// (mean of the encodings of the clip's non-overlapping 96-frame patches).
/// Thread-safe; create one and share it. For ML.NET pipelines use <c>mlContext.Transforms.CoalaEmbed(...)</c>.
/// </summary>
public sealed class CoalaEmbedder : IDisposable
{
    private readonly EncoderSession _session;
    private readonly PatchSource _patches;
    private readonly bool _withStd;

    /// <summary>Loads the model (or the default one) and prepares the ONNX Runtime session.</summary>
    /// <param name="options">Model path and pooling; column names are ignored here.</param>
    /// <param name="gpuDeviceId">CUDA device to run on (needs Microsoft.ML.OnnxRuntime.Gpu); <c>null</c> for CPU.</param>
    /// <param name="fallbackToCpu">Use the CPU when the CUDA provider cannot be loaded.</param>
    /// <param name="encoderThreads">
    /// ONNX Runtime intra-op threads of the encoder; 0 lets it choose (one per physical core). When several files are
    /// embedded at once on one embedder, give each run fewer threads (cores / files in parallel): threads that
    /// outnumber the cores spin and wait instead of working.
    /// </param>
    public CoalaEmbedder(CoalaEmbedOptions? options = null, int? gpuDeviceId = null, bool fallbackToCpu = true, int encoderThreads = 0)
    {
        options ??= new CoalaEmbedOptions();
        var model = CoalaModel.Load(ModelLocator.Resolve(options.ModelPath));
        _session = new EncoderSession(model, gpuDeviceId, fallbackToCpu, encoderThreads);
        _patches = new PatchSource(model.Frontend);
        _withStd = options.Pooling == CoalaPooling.MeanAndStd;
        Dimension = model.EmbeddingDim * (_withStd ? 2 : 1);
        SampleRate = model.Frontend.SampleRate;
    }

    /// <summary>Length of the vectors returned (1152, or 2304 with mean and std pooling).</summary>
    public int Dimension { get; }

    /// <summary>The rate the model's frontend works at; other rates are resampled.</summary>
    public int SampleRate { get; }

    /// <summary>
    /// Embeds an audio file (WAV, MP3, Ogg Vorbis). The file is streamed (decoded, resampled and encoded piece by
    /// piece), so memory does not grow with its length; the vector is the one <see cref="Embed"/> gives on the whole
    /// decoded file, up to float rounding.
    /// </summary>
    /// <exception cref="CoalaException">The file is missing, unreadable, unsupported or holds invalid samples.</exception>
    public float[] EmbedFile(string path) => EmbedFile(path, out _);

    /// <summary>
    /// <see cref="EmbedFile(string)"/>, also saying whether the file was cut short: <paramref name="truncation"/> is
    /// <c>null</c> for a whole file, else what is missing (the vector is that of the audio that is there).
    /// </summary>
    internal float[] EmbedFile(string path, out string? truncation)
    {
        using var patches = _patches.OpenFile(path);
        var vector = _session.Embed(patches, _withStd);
        truncation = patches.Truncation;
        return vector;
    }

    /// <summary>Embeds mono samples in [-1, 1] recorded at <paramref name="sampleRate"/> Hz.</summary>
    public float[] Embed(ReadOnlySpan<float> samples, int sampleRate, string source = "samples")
    {
        var patches = _patches.FromSamples(samples, sampleRate, source, out int count);
        return _session.Embed(patches, count, _withStd, source);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
