using System.Text;

namespace Coala.ML.Tags;

/// <summary>
/// Finds a query word in a tag vocabulary. The inference library cannot use the training project's tag
/// processing (it depends on TorchSharp and Humanizer), so it applies a minimal equivalent: trim, Unicode NFC,
/// invariant lower-case, then an exact match, else simple English plural endings (-s, -es, -ies → -y,
/// -ves → -f/-fe). Unknown words get a <see cref="CoalaException"/> that lists the closest vocabulary words.
/// </summary>
internal sealed class TagMatcher
{
    private readonly IReadOnlyList<string> _vocabulary;
    private readonly Dictionary<string, int> _index;

    public TagMatcher(IReadOnlyList<string> vocabulary)
    {
        _vocabulary = vocabulary;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++) _index.TryAdd(Normalize(vocabulary[i]), i);
    }

    public static string Normalize(string word) => word.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();

    /// <summary>Index of <paramref name="word"/> in the vocabulary, or -1.</summary>
    public int Find(string word)
    {
        string w = Normalize(word);
        foreach (var candidate in Candidates(w))
            if (_index.TryGetValue(candidate, out int i)) return i;
        return -1;
    }

    /// <summary>Index of <paramref name="word"/>; unknown words throw, listing the closest vocabulary words.</summary>
    public int Resolve(string word, string? source = null)
    {
        int i = Find(word);
        if (i >= 0) return i;
        // Edit distance costs length x length per vocabulary word: a word far longer than any tag has no close one.
        var close = word.Length <= 4 * Excerpt.DefaultLength ? Closest(Normalize(word), 5) : [];
        string hint = close.Count > 0 ? $"; closest vocabulary words: {string.Join(", ", close)}" : "";
        throw new CoalaException($"unknown tag '{Excerpt.Of(word)}': not in the model's {_vocabulary.Count}-word vocabulary{hint}", source);
    }

    private static IEnumerable<string> Candidates(string w)
    {
        yield return w;
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4) yield return w[..^3] + "y";
        if (w.EndsWith("ves", StringComparison.Ordinal) && w.Length > 4) { yield return w[..^3] + "f"; yield return w[..^3] + "fe"; }
        if (w.EndsWith("es", StringComparison.Ordinal) && w.Length > 3) yield return w[..^2];
        if (w.EndsWith('s') && w.Length > 2) yield return w[..^1];
    }

    /// <summary>Up to <paramref name="count"/> vocabulary words nearest by edit distance (words sharing a prefix first among ties).</summary>
    public IReadOnlyList<string> Closest(string word, int count) =>
        _vocabulary
            .Select(v => (Word: v, Distance: Levenshtein(word, v), Prefix: CommonPrefix(word, v)))
            .Where(t => t.Distance <= Math.Max(2, word.Length / 2) || t.Prefix >= 3 || t.Word.Contains(word, StringComparison.Ordinal))
            .OrderBy(t => t.Distance).ThenByDescending(t => t.Prefix).ThenBy(t => t.Word, StringComparer.Ordinal)
            .Take(count).Select(t => t.Word).ToList();

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    internal static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
