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
    /// <exception cref="CoalaException">the model is missing or invalid, or CUDA is unavailable without <see cref="CoalaEmbedderOptions.FallbackToCpu"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a negative <see cref="CoalaEmbedderOptions.GpuDeviceId"/> or <see cref="CoalaEmbedderOptions.IntraOpNumThreads"/>.</exception>
    public CoalaEmbedder(CoalaEmbedderOptions? options = null)
        : this(CoalaModel.Load(ModelLocator.Resolve(options?.ModelPath)), options ?? new CoalaEmbedderOptions())
    {
    }

    /// <summary>
    /// An embedder of a model already loaded and checked (<see cref="CoalaModel.Load"/>), so that callers who also read
    /// its metadata load it once; <see cref="CoalaEmbedderOptions.ModelPath"/> is not used.
    /// </summary>
    /// <exception cref="CoalaException">CUDA is unavailable without <see cref="CoalaEmbedderOptions.FallbackToCpu"/>.</exception>
    public CoalaEmbedder(CoalaModel model, CoalaEmbedderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CoalaEmbedderOptions();
        _session = new EncoderSession(model, options.GpuDeviceId, options.FallbackToCpu, options.IntraOpNumThreads);
        _patches = new PatchSource(model.Frontend);
        _withStd = options.Pooling == CoalaPooling.MeanAndStd;
        _perWindow = options.Pooling == CoalaPooling.None;
        Dimension = model.EmbeddingDim * (_withStd ? 2 : 1);
        SampleRate = model.Frontend.SampleRate;
        _frontend = model.Frontend;
    }

    /// <summary>Where the encoder runs: "CUDA" or "CPU" (also after a fallback from CUDA; see <see cref="GpuFallbackReason"/>).</summary>
    public string ExecutionProvider => _session.UsesGpu ? "CUDA" : "CPU";

    /// <summary>Why CUDA was not used although a GPU was asked for, or <c>null</c>.</summary>
    public string? GpuFallbackReason => _session.GpuFallbackReason;

    private readonly bool _perWindow;
    private readonly Features.FrontendSettings _frontend;

    /// <summary>The encoder's quantization scheme (<c>coala.quantization</c>), or <c>null</c> for fp32.</summary>
    public string? Quantization => _session.Model.Quantization;

    /// <summary>Seconds between the starts of consecutive non-overlapping windows: one patch (96 frames of 512 samples at 22 kHz, 2.23 s).</summary>
    public double WindowSeconds => (double)_frontend.PatchFrames * _frontend.HopLength / _frontend.SampleRate;

    /// <summary>
    /// Per-window embeddings of an audio file (OpenL3's <c>get_audio_embedding</c>): one vector of
    /// <see cref="Dimension"/> values per window of one patch (<see cref="WindowSeconds"/>), windows starting every
    /// <paramref name="hopSeconds"/> (default: <see cref="WindowSeconds"/>, the windows <see cref="EmbedFile(string)"/>
    /// averages), each with its start and end time in the file. Streamed: memory does not grow with the file's length
    /// beyond the vectors. A clip shorter than one window gives one window, zero-padded, whose end is the window's.
    /// </summary>
    /// <param name="path">WAV, MP3 or Ogg Vorbis.</param>
    /// <param name="hopSeconds">window hop, rounded to whole frames (23.3 ms), at most <see cref="WindowSeconds"/>.</param>
    /// <exception cref="CoalaException">as <see cref="EmbedFile(string)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a hop under one frame or over one window.</exception>
    public IReadOnlyList<CoalaWindow> EmbedFileWindows(string path, double? hopSeconds = null) => EmbedFileWindows(path, hopSeconds, out _);

    /// <summary><see cref="EmbedFileWindows(string, double?)"/>, also saying what a cut file is missing (see <see cref="EmbedFile(string, out string?)"/>).</summary>
    public IReadOnlyList<CoalaWindow> EmbedFileWindows(string path, double? hopSeconds, out string? truncation)
    {
        int hopFrames = WindowHopFrames(hopSeconds);
        using var patches = _patches.OpenFile(path, hopFrames);
        var vectors = _session.EmbedWindows(patches);
        truncation = patches.Truncation;
        double frame = (double)_frontend.HopLength / _frontend.SampleRate;
        return vectors.Select((v, k) => new CoalaWindow(k * hopFrames * frame, (k * hopFrames + _frontend.PatchFrames) * frame, v)).ToList();
    }

    /// <summary>The window hop in frames for <paramref name="hopSeconds"/> (null: one patch).</summary>
    public int WindowHopFrames(double? hopSeconds)
    {
        if (hopSeconds is not double s) return _frontend.PatchFrames;
        double frame = (double)_frontend.HopLength / _frontend.SampleRate;
        int frames = (int)Math.Round(s / frame);
        if (!double.IsFinite(s) || frames < 1 || frames > _frontend.PatchFrames)
            throw new ArgumentOutOfRangeException(nameof(hopSeconds), s, $"the window hop must be {frame:0.####} s (one frame) to {WindowSeconds:0.###} s (one window)");
        return frames;
    }

    /// <summary>Patches given to ONNX Runtime in one run when a file is embedded (memory stays bounded by this many).</summary>
    public const int PatchesPerRun = EncoderSession.DefaultChunkPatches;

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
    public float[] EmbedFile(string path, out string? truncation)
    {
        if (_perWindow) throw new InvalidOperationException("an embedder with CoalaPooling.None gives per-window vectors: call EmbedFileWindows");
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

    /// <summary>
    /// Embeds log-mel patches already computed by <see cref="Features.CoalaFrontend"/> (unscaled: the model's scaler
    /// is in its graph), <paramref name="patchCount"/> patches of bands x frames values each, pooled as configured.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="patches"/> is shorter than <paramref name="patchCount"/> patches.</exception>
    public float[] EmbedPatches(float[] patches, int patchCount)
    {
        if (_perWindow) throw new InvalidOperationException("an embedder with CoalaPooling.None gives per-window vectors: call EmbedFileWindows");
        return _session.Embed(patches, patchCount, _withStd);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
