using Coala.ML.Export;
using Microsoft.ML.OnnxRuntime;

namespace Coala.ML.Model;

/// <summary>
/// An ONNX Runtime session over a <see cref="CoalaModel"/>: one call embeds all patches of one clip.
/// Optionally on a CUDA device, falling back to the CPU when CUDA is unavailable. Thread-safe.
/// </summary>
internal sealed class EncoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [OnnxEncoderWriter.InputName];
    private readonly string[] _meanOnly = [OnnxEncoderWriter.MeanOutput];
    private readonly string[] _meanAndStd = [OnnxEncoderWriter.MeanOutput, OnnxEncoderWriter.StdOutput];
    private readonly string[] _windowsOnly = [OnnxEncoderWriter.WindowsOutput];
    private int _disposed;

    public CoalaModel Model { get; }
    /// <summary>Whether the session runs on the CUDA execution provider.</summary>
    public bool UsesGpu { get; }
    /// <summary>Why CUDA was not used when it was asked for and the session fell back to the CPU; else <c>null</c>.</summary>
    public string? GpuFallbackReason { get; }

    /// <param name="model">the checked model.</param>
    /// <param name="gpuDeviceId">CUDA device to run on, or <c>null</c> for the CPU.</param>
    /// <param name="fallbackToCpu">when CUDA cannot be used: run on the CPU (true) or throw (false).</param>
    /// <param name="intraOpThreads">ONNX Runtime intra-op threads; 0 lets it choose.</param>
    /// <exception cref="CoalaException">CUDA is unavailable and no fallback is allowed, or ONNX Runtime rejects the model.</exception>
    public EncoderSession(CoalaModel model, int? gpuDeviceId = null, bool fallbackToCpu = true, int intraOpThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (intraOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "intra-op threads must be 0 (automatic) or more");
        if (gpuDeviceId is < 0) throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), gpuDeviceId, "the GPU device id must be 0 or more");
        Model = model;
        OnnxRuntimeNative.EnsureLoaded(model.Path);

        if (gpuDeviceId is int id)
        {
            try
            {
                _session = Create(model, intraOpThreads, o => o.AppendExecutionProvider_CUDA(id));
                UsesGpu = true;
                return;
            }
            catch (Exception e)
            {
                if (!fallbackToCpu)
                    throw new CoalaException($"CUDA is unavailable for GPU {id} ({e.Message.Trim()}); install the CUDA and cuDNN libraries this ONNX Runtime build needs, or run on the CPU", model.Path, e);
                GpuFallbackReason = e.Message.Trim();
            }
        }
        try
        {
            _session = Create(model, intraOpThreads, null);
        }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"ONNX Runtime cannot load the model: {e.Message.Trim()}", model.Path, e);
        }
    }

    private static InferenceSession Create(CoalaModel model, int threads, Action<SessionOptions>? provider)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (threads > 0) options.IntraOpNumThreads = threads;
        provider?.Invoke(options);
        return new InferenceSession(model.Bytes, options);
    }

    /// <summary>
    /// Embeds one clip from its unscaled log-mel patches laid out [patch, band, frame].
    /// Returns <see cref="CoalaModel.EmbeddingDim"/> floats (the mean over patches), or twice that (mean, then
    /// population std) when <paramref name="withStd"/>.
    /// </summary>
    /// <exception cref="CoalaException">wrong patch data size, or ONNX Runtime fails.</exception>
    /// <exception cref="CoalaException">... or the encoder gives a NaN or infinite value (named after <paramref name="source"/>).</exception>
    public float[] Embed(float[] patches, int patchCount, bool withStd, string? source = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (patches is null) throw new CoalaException("no patch data given to the encoder", Model.Path);
        if (patchCount <= 0) throw new CoalaException($"the encoder needs at least one patch, got {patchCount}", Model.Path);
        long expected = (long)patchCount * Model.PatchValues;
        if (patches.Length != expected)
            throw new CoalaException($"patch data holds {patches.Length} values; {patchCount} patches of {Model.Frontend.MelBands} bands x {Model.Frontend.PatchFrames} frames need {expected}", Model.Path);

        return Finite(Run(patches, patchCount, withStd), source ?? "samples");
    }

    /// <summary>
    /// The vector, or a failure for <paramref name="source"/> when any value is NaN or infinite (a broken or hostile
    /// model, or an overflow): such a vector is never returned, so never written as a row.
    /// </summary>
    private float[] Finite(float[] vector, string source)
    {
        int bad = 0;
        foreach (var x in vector) if (!float.IsFinite(x)) bad++;
        if (bad > 0)
            throw new CoalaException($"the encoder ({System.IO.Path.GetFileName(Model.Path)}) gave {bad} non-finite value(s) (NaN or infinity) of {vector.Length}; no embedding for this file", source);
        return vector;
    }

    /// <summary>Runs the graph's pooled outputs (mean, and std when <paramref name="withStd"/>) on the first <paramref name="patchCount"/> patches.</summary>
    private float[] Run(float[] patches, int patchCount, bool withStd) =>
        Run(patches, patchCount, withStd ? _meanAndStd : _meanOnly, Model.EmbeddingDim);

    /// <summary>Runs the graph's per-window output on the first <paramref name="patchCount"/> patches: [patchCount, dim], flattened.</summary>
    private float[] RunWindows(float[] patches, int patchCount) =>
        Run(patches, patchCount, _windowsOnly, patchCount * Model.EmbeddingDim);

    /// <summary>
    /// Runs the graph on the first <paramref name="patchCount"/> patches of <paramref name="patches"/> and returns
    /// <paramref name="outputNames"/>' values one after another, each checked to hold <paramref name="valuesPerOutput"/>.
    /// </summary>
    private float[] Run(float[] patches, int patchCount, string[] outputNames, int valuesPerOutput)
    {
        var result = new float[outputNames.Length * valuesPerOutput];
        int length = patchCount * Model.PatchValues;
        try
        {
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, patches.AsMemory(0, length), [1, length]);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, _inputNames, [input], outputNames);
            int i = 0;
            foreach (var output in outputs)
            {
                var span = output.GetTensorDataAsSpan<float>();
                if (span.Length != valuesPerOutput)
                    throw new CoalaException($"output '{outputNames[i]}' gave {span.Length} values, expected {valuesPerOutput}", Model.Path);
                span.CopyTo(result.AsSpan(i * valuesPerOutput, valuesPerOutput));
                i++;
            }
        }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"ONNX Runtime failed to run the encoder: {e.Message.Trim()}", Model.Path, e);
        }
        return result;
    }

    /// <summary>Patches per encoder run when embedding a stream (bounds ONNX Runtime's activation memory).</summary>
    public const int DefaultChunkPatches = 16;

    /// <summary>
    /// One embedding per patch of the stream, in order (per-window embeddings): the graph's per-window output
    /// <see cref="OnnxEncoderWriter.WindowsOutput"/>, in runs of <see cref="DefaultChunkPatches"/> patches. A model
    /// file without that output (written before it existed) runs each patch alone, whose mean over one patch is that
    /// patch's encoding. Memory is one run of patches plus the vectors.
    /// </summary>
    public List<float[]> EmbedWindows(PatchStream patches)
    {
        ArgumentNullException.ThrowIfNull(patches);
        if (patches.PatchValues != Model.PatchValues)
            throw new CoalaException($"the patch stream gives {patches.PatchValues} values per patch; the model takes {Model.PatchValues}", Model.Path);
        int chunk = Model.HasWindowsOutput ? DefaultChunkPatches : 1, dim = Model.EmbeddingDim;
        var buffer = new float[chunk * Model.PatchValues];
        var windows = new List<float[]>();
        int n;
        while ((n = patches.Read(buffer)) > 0)
        {
            if (!Model.HasWindowsOutput) { windows.Add(Finite(Run(buffer, 1, withStd: false), patches.Source)); continue; }
            var all = Finite(RunWindows(buffer, n), patches.Source);
            for (int k = 0; k < n; k++) windows.Add(all.AsSpan(k * dim, dim).ToArray());
        }
        if (windows.Count == 0) throw new CoalaException("the audio gave no patches", patches.Source);
        return windows;
    }

    /// <summary>
    /// Embeds a stream of patches in runs of at most <paramref name="chunkPatches"/> patches and combines the runs'
    /// means and population standard deviations exactly (in double: pooled mean, and the pooled second moment
    /// sum n_k (std_k^2 + (mean_k - mean)^2)), so the result is the one-shot <see cref="Embed(float[], int, bool, string?)"/>
    /// of all patches up to float rounding. Memory does not depend on the number of patches.
    /// </summary>
    /// <exception cref="CoalaException">the stream fails or has no patch, or ONNX Runtime fails.</exception>
    public float[] Embed(PatchStream patches, bool withStd, int chunkPatches = DefaultChunkPatches)
    {
        ArgumentNullException.ThrowIfNull(patches);
        if (chunkPatches <= 0) throw new ArgumentOutOfRangeException(nameof(chunkPatches), chunkPatches, "patches per encoder run must be 1 or more");
        if (patches.PatchValues != Model.PatchValues)
            throw new CoalaException($"the patch stream gives {patches.PatchValues} values per patch; the model takes {Model.PatchValues}", Model.Path);
        int dim = Model.EmbeddingDim;
        var buffer = new float[chunkPatches * Model.PatchValues];
        var sum = new double[dim];          // sum over runs of n_k * mean_k
        var runs = new List<(int Count, float[] MeanStd)>();
        long total = 0;
        int n;
        while ((n = patches.Read(buffer)) > 0)
        {
            var run = Run(buffer, n, withStd);
            for (int d = 0; d < dim; d++) sum[d] += (double)n * run[d];
            total += n;
            if (withStd) runs.Add((n, run));
        }
        if (total == 0) throw new CoalaException("the audio gave no patches", patches.Source);

        var result = new float[withStd ? 2 * dim : dim];
        var mean = new double[dim];
        for (int d = 0; d < dim; d++)
        {
            mean[d] = sum[d] / total;
            result[d] = (float)mean[d];
        }
        if (withStd)
        {
            var m2 = new double[dim];
            foreach (var (count, run) in runs)
                for (int d = 0; d < dim; d++)
                {
                    double s = run[dim + d], delta = run[d] - mean[d];
                    m2[d] += count * (s * s + delta * delta);
                }
            for (int d = 0; d < dim; d++) result[dim + d] = (float)Math.Sqrt(m2[d] / total);
        }
        return Finite(result, patches.Source);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _session.Dispose();
    }
}
