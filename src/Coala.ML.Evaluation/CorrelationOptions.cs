
namespace Coala.ML.Evaluation;

/// <summary>Options of <see cref="CorrelationAnalysis.Run"/>.</summary>
public sealed record CorrelationOptions
{
    public EmbeddingInput Input { get; init; } = EmbeddingInput.MeanPooling;
    /// <summary>Reduce embeddings to this many principal components before CCA (not in the reference); null keeps all.</summary>
    public int? PrincipalComponents { get; init; }
    public DescriptorSettings Descriptors { get; init; } = DescriptorSettings.Default;
    public double Epsilon { get; init; } = Cca.ReferenceEpsilon;
    /// <summary>Progress lines (to stderr in the CLI); null for none.</summary>
    public Action<string>? Log { get; init; }
}
