using Microsoft.ML;

namespace Coala.ML;

/// <summary>ML.NET catalog entry point of Coala.ML.</summary>
public static class CoalaCatalog
{
    /// <summary>
    /// Embeds the audio in <paramref name="inputColumnName"/> (file paths, or samples at the model's rate) into
    /// <paramref name="outputColumnName"/> as a 1152-d COALA embedding.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column (vector of 1152 Single).</param>
    /// <param name="inputColumnName">Input column: String paths or Single-vector samples; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="modelPath">A Coala.ML ONNX encoder; <c>null</c> for the default model.</param>
    public static CoalaEmbedEstimator CoalaEmbed(this TransformsCatalog catalog, string outputColumnName = "Embedding",
        string? inputColumnName = null, string? modelPath = null) =>
        CoalaEmbed(catalog, new CoalaEmbedOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? outputColumnName,
            ModelPath = modelPath,
        });

    /// <summary>Embeds audio into COALA embeddings with full control through <see cref="CoalaEmbedOptions"/>.</summary>
    public static CoalaEmbedEstimator CoalaEmbed(this TransformsCatalog catalog, CoalaEmbedOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new CoalaEmbedEstimator(catalog, options);
    }
}
