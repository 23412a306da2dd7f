namespace Coala.ML;

/// <summary>
/// Options of <see cref="CoalaEmbedder"/>, the plain (non-ML.NET) API: which model, how to pool, and where ONNX Runtime
/// runs, named as ML.NET's <c>OnnxOptions</c> names them. The ML.NET transform takes <see cref="CoalaEmbedOptions"/>
/// (column names) and the execution provider from <c>MLContext.GpuDeviceId</c> / <c>MLContext.FallbackToCpu</c>.
/// </summary>
public sealed class CoalaEmbedderOptions
{
    /// <summary>Path of a Coala.ML ONNX encoder; <c>null</c> selects the default model installed with the package.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Pooling over the clip's patches (<see cref="CoalaPooling.None"/>: per-window vectors, <see cref="CoalaEmbedder.EmbedFileWindows(string, double?)"/>).</summary>
    public CoalaPooling Pooling { get; set; } = CoalaPooling.Mean;

    /// <summary>CUDA device to run the encoder on (needs Microsoft.ML.OnnxRuntime.Gpu); <c>null</c> for the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// When <see cref="GpuDeviceId"/> is set but CUDA cannot be used: run on the CPU (true, the default) or fail. Which
    /// provider ran is <see cref="CoalaEmbedder.ExecutionProvider"/>.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>
    /// ONNX Runtime intra-op threads of the encoder; 0 lets it choose (one per physical core). When several files are
    /// embedded at once on one embedder, give each run fewer threads (cores / files in parallel): threads that outnumber
    /// the cores spin and wait instead of working.
    /// </summary>
    public int IntraOpNumThreads { get; set; }
}
