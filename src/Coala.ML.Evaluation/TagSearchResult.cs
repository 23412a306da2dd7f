using System.Globalization;
using System.Text;

namespace Coala.ML.Evaluation;

/// <summary>Figures of <see cref="TagSearchEvaluation"/> (means over clips, or over tags for retrieval).</summary>
public sealed record TagSearchResult(
    int K, int Clips, int Vocabulary,
    double TagPrecision, double TagRecall, double BestPossiblePrecision,
    double BaselinePrecision, double BaselineRecall, string[] BaselineTags,
    int RetrievalTags, int MinClipsPerTag, double RetrievalPrecision, double RetrievalRandomPrecision)
{
    /// <summary>A markdown table of the figures.</summary>
    public string ToMarkdown(string modelName)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"| metric (validation split, k = {K}) | {modelName} | baseline |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine(c, $"| tag ranking precision@{K} ({Clips} clips, {Vocabulary} tags) | {TagPrecision:0.000} | {BaselinePrecision:0.000} (always the {K} most frequent training tags) |");
        sb.AppendLine(c, $"| tag ranking recall@{K} | {TagRecall:0.000} | {BaselineRecall:0.000} |");
        sb.AppendLine(c, $"| best possible tag ranking precision@{K} (mean of min(tags, {K}) / {K}) | {BestPossiblePrecision:0.000} | |");
        sb.AppendLine(c, $"| tag→audio retrieval precision@{K} ({RetrievalTags} tags with ≥ {MinClipsPerTag} validation clips) | {RetrievalPrecision:0.000} | {RetrievalRandomPrecision:0.000} (random ranking, expected) |");
        return sb.ToString();
    }
}
