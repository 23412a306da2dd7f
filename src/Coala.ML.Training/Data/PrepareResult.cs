using Coala.ML.Training.Data;

namespace Coala.ML.Training;

/// <summary>What <see cref="PreparedCorpus.Prepare"/> did (or found up to date).</summary>
public sealed record PrepareResult
{
    /// <summary>True when the corpus folder already held this corpus (same inputs and options); nothing was written.</summary>
    public bool UpToDate { get; init; }
    /// <summary>The corpus's manifest: counts, options, frontend.</summary>
    public required CorpusManifest Manifest { get; init; }
    /// <summary>Clips and CSV lines left out, with the reason (also written to the corpus's <c>dropped.tsv</c>).</summary>
    public IReadOnlyList<DroppedItem> Dropped { get; init; } = [];
    /// <summary>The vocabulary's tags with their clip counts among kept clips, most frequent first.</summary>
    public IReadOnlyList<TagCount> TagCounts { get; init; } = [];
    /// <summary>Files whose patch came from the cache in this run.</summary>
    public int FromCache { get; init; }

    /// <summary>"3 unreadable, 1 silent" style summary of <see cref="Dropped"/>, most frequent reason first.</summary>
    public string DroppedSummary => Summarize(Dropped);

    internal static string Summarize(IEnumerable<DroppedItem> dropped)
    {
        var groups = dropped.GroupBy(d => d.Category).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        return groups.Count == 0 ? "nothing dropped" : string.Join(", ", groups.Select(g => $"{g.Count()} {g.Key}"));
    }

    /// <summary>Name of the file in the corpus folder listing every dropped item and its reason.</summary>
    public const string DroppedFileName = CorpusFiles.Dropped;
}
