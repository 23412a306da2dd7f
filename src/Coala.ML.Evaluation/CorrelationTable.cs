using System.Globalization;
using System.Text;

namespace Coala.ML.Evaluation;

/// <summary>
/// The paper's Table 2: rows are descriptor groups, columns models, cells <see cref="Cca.Score"/> (mean of all canonical
/// correlations between the embeddings and the group, fitted and evaluated on the same clips as the reference).
/// </summary>
public sealed record CorrelationTable(
    IReadOnlyList<string> Models,
    IReadOnlyList<DescriptorGroup> Groups,
    double[,] Scores,
    int Clips,
    int EmbeddingDimension,
    int? PrincipalComponents,
    EmbeddingInput Input,
    TimeSpan Elapsed)
{
    /// <summary>Score of <paramref name="group"/> for model column <paramref name="model"/>.</summary>
    public double this[DescriptorGroup group, int model] => Scores[Groups.ToList().IndexOf(group), model];

    /// <summary>The table as markdown, with a line saying how it was computed.</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"CCA between embeddings and acoustic descriptors: {Clips} clips, ")
          .Append(Input == EmbeddingInput.MeanPooling ? "mean-pooled embeddings" : "max-energy-patch embeddings")
          .Append(inv, $" ({EmbeddingDimension}-d")
          .Append(PrincipalComponents is int k ? string.Create(inv, $", reduced to {k} principal components") : "")
          .Append("); cell = mean of all canonical correlations (SVCCA get_cca_similarity, epsilon 1e-20, fitted and evaluated on the same clips, as xavierfav/coala scripts/cca_embeddings_descriptors.py).\n\n");
        sb.Append("| Descriptor |");
        foreach (var m in Models) sb.Append(' ').Append(m.Replace("|", "\\|")).Append(" |");
        sb.Append("\n|---|");
        foreach (var _ in Models) sb.Append("---:|");
        sb.Append('\n');
        for (int g = 0; g < Groups.Count; g++)
        {
            sb.Append("| ").Append(Descriptors.Label(Groups[g])).Append(" |");
            for (int m = 0; m < Models.Count; m++) sb.Append(inv, $" {Scores[g, m]:0.000} |");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
