namespace Coala.ML;

/// <summary>Options of the ML.NET transform <see cref="CoalaCatalog.CoalaEmbed(Microsoft.ML.TransformsCatalog, CoalaEmbedOptions)"/> (the plain API takes <see cref="CoalaEmbedderOptions"/>).</summary>
public sealed class CoalaEmbedOptions
{
    /// <summary>Column that receives the embedding (vector of Single, 1152 or 2304 long).</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>
    /// Input column: a file path (<c>string</c>; WAV, MP3 or Ogg Vorbis) or mono samples
    /// (vector of <c>Single</c>, in [-1, 1]).
    /// </summary>
    public string InputColumnName { get; set; } = "Audio";

    /// <summary>
    /// For sample-vector input only: a numeric column holding each row's sample rate in Hz.
    /// When <c>null</c>, samples must already be at the model's rate (22 000 Hz for the reference frontend).
    /// </summary>
    public string? SampleRateColumnName { get; set; }

    /// <summary>Path of a Coala.ML ONNX encoder; <c>null</c> selects the default model installed with the package.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Pooling over the clip's patches.</summary>
    public CoalaPooling Pooling { get; set; } = CoalaPooling.Mean;
}
