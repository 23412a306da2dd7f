
namespace Coala.ML.Evaluation;

/// <summary>What is embedded for each clip.</summary>
public enum EmbeddingInput
{
    /// <summary><see cref="CoalaEmbedder"/>: the mean of the encodings of the clip's non-overlapping patches.</summary>
    MeanPooling,
    /// <summary>The encoding of the single highest-energy patch (the reference embeds its pre-training validation patches).</summary>
    MaxEnergyPatch,
}
