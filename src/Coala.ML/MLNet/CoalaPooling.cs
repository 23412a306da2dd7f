namespace Coala.ML;

/// <summary>How the per-patch encodings of a clip are pooled into one vector.</summary>
public enum CoalaPooling
{
    /// <summary>Mean over patches: 1152 values (the paper's embedding).</summary>
    Mean,
    /// <summary>Mean then population standard deviation over patches: 2304 values.</summary>
    MeanAndStd,
    /// <summary>
    /// No pooling: one 1152-value vector per window with its start and end time (OpenL3's per-frame embeddings), from
    /// <see cref="CoalaEmbedder.EmbedFileWindows(string, double?)"/> and <c>coala embed --pooling None</c>. The ML.NET transform takes
    /// Mean or MeanAndStd only: a row of an ML.NET column is one fixed-size vector, and per-window rows of varying
    /// count are better consumed from the plain API (see the README).
    /// </summary>
    None,
}
