namespace Coala.ML.Training.Data;

/// <summary>
/// Picks the tag vocabulary as the reference (gensim <c>Dictionary.filter_extremes(no_below=10, no_above=0.7,
/// keep_n=1000)</c> over per-clip tag sets): drop tags on fewer than <c>minCount</c> clips and on more than
/// <c>maxShare</c> of the clips, then keep the <c>maxSize</c> most frequent, ties broken by ordinal order of the tag.
/// </summary>
internal static class TagVocabulary
{
    /// <summary>
    /// Builds the vocabulary over <paramref name="clipTags"/> (one tag set per clip; duplicates within a clip count once).
    /// Returns the tags, most frequent first, and every tag's clip count (most frequent first, all tags).
    /// </summary>
    public static (string[] Vocabulary, TagCount[] Counts) Build(IReadOnlyList<IReadOnlyCollection<string>> clipTags, int minCount, double maxShare, int maxSize)
    {
        if (minCount < 1) throw new CoalaException($"--min-count must be at least 1 (got {minCount})");
        if (!(maxShare > 0 && maxShare <= 1)) throw new CoalaException($"--max-share must be in (0, 1] (got {maxShare})");
        if (maxSize < 1) throw new CoalaException($"--vocab must be at least 1 (got {maxSize})");

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tags in clipTags)
            foreach (var tag in tags.Distinct(StringComparer.Ordinal))
                counts[tag] = counts.GetValueOrDefault(tag) + 1;

        var all = counts.Select(kv => new TagCount(kv.Key, kv.Value)).ToArray();
        Array.Sort(all, Compare);
        double limit = maxShare * clipTags.Count;
        var vocabulary = all
            .Where(t => t.Clips >= minCount && t.Clips <= limit + 1e-9)
            .Take(maxSize)
            .Select(t => t.Tag)
            .ToArray();
        return (vocabulary, all);
    }

    private static int Compare(TagCount a, TagCount b)
    {
        int c = b.Clips.CompareTo(a.Clips);
        return c != 0 ? c : string.CompareOrdinal(a.Tag, b.Tag);
    }
}
