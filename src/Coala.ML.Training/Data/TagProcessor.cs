using System.Text;
using Humanizer;

namespace Coala.ML.Training;

/// <summary>
/// Turns raw tags into the paper's normalised tags (reference: xavierfav/coala scripts/preproc_tags.py):
/// lower-case; keep only alphabetic tokens of 2+ letters; drop NLTK English stop-words; singularise nouns
/// (Humanizer, <c>Singularize(inputIsKnownToBePlural: false)</c>); de-duplicate per clip.
/// </summary>
/// <remarks>
/// Decisions (tested in TagProcessorTests):
/// <list type="bullet">
/// <item>"Alphabetic" is Python 3's <c>str.isalpha</c>, as the reference (Python 3) uses: every character is a
/// Unicode letter, so "Café" gives "café" (NFC-normalised, lower-cased invariantly); non-ASCII letters are kept.</item>
/// <item>Freesound-style tag strings (CSV) are split on white space only and a token that is not wholly
/// alphabetic is dropped whole, as the reference: "kick808", "field-recording" and "808" give nothing.</item>
/// <item>File paths are split on every non-letter (/ _ - . digits, spaces, ...) and at lower-to-upper case
/// changes ("KickDrum_01.wav" gives kick, drum); the extension is dropped first.</item>
/// <item>The length and stop-word filters are applied again after singularising, so a singular form can never
/// be a 1-letter token or a stop-word (the reference filters only before).</item>
/// </list>
/// </remarks>
public static class TagProcessor
{
    private static readonly Lazy<HashSet<string>> StopWordSet = new(LoadStopWords);

    /// <summary>NLTK's English stop-words (179), from the embedded resource.</summary>
    public static IReadOnlySet<string> StopWords => StopWordSet.Value;

    /// <summary>Normalised tags of a Freesound-style tag string (space-separated), in first-seen order, unique.</summary>
    public static string[] FromTagString(string? tags)
    {
        if (string.IsNullOrWhiteSpace(tags)) return [];
        var tokens = tags.Normalize(NormalizationForm.FormC).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return Normalize(tokens);
    }

    /// <summary>
    /// Normalised tags from the words of a file's path relative to the scanned folder
    /// ("sounds/animals/wolf_howl-02.ogg" gives sound, animal, wolf, howl).
    /// </summary>
    public static string[] FromRelativePath(string relativePath)
    {
        string withoutExtension = relativePath;
        string ext = Path.GetExtension(relativePath);
        if (ext.Length > 0) withoutExtension = relativePath[..^ext.Length];
        return Normalize(SplitWords(withoutExtension.Normalize(NormalizationForm.FormC)));
    }

    /// <summary>
    /// Normalises alphabetic tokens: lower-case, 2+ letters, not a stop-word, singular. Unique, first-seen order.
    /// Tokens that are not wholly alphabetic are dropped.
    /// </summary>
    public static string[] Normalize(IEnumerable<string> tokens)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in tokens)
        {
            string token = raw.Normalize(NormalizationForm.FormC);
            if (!IsAlphabetic(token)) continue;
            string lower = token.ToLowerInvariant();
            if (!Keep(lower)) continue;
            string singular = lower.Singularize(inputIsKnownToBePlural: false);
            if (!Keep(singular) || !IsAlphabetic(singular)) continue;
            if (seen.Add(singular)) result.Add(singular);
        }
        return [.. result];
    }

    private static bool Keep(string lower) => CountLetters(lower) >= 2 && !StopWords.Contains(lower);

    /// <summary>Python 3 <c>str.isalpha</c>: non-empty and every code point a letter (NFC assumed).</summary>
    internal static bool IsAlphabetic(string token)
    {
        if (token.Length == 0) return false;
        for (int i = 0; i < token.Length; i++)
        {
            if (char.IsSurrogatePair(token, i))
            {
                if (!char.IsLetter(token, i)) return false;
                i++;
                continue;
            }
            if (!char.IsLetter(token[i])) return false;
        }
        return true;
    }

    private static int CountLetters(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length) i++;
            n++;
        }
        return n;
    }

    /// <summary>Maximal runs of letters, also split where a lower-case letter is followed by an upper-case one.</summary>
    internal static IEnumerable<string> SplitWords(string text)
    {
        var word = new StringBuilder();
        bool prevLower = false;
        for (int i = 0; i < text.Length; i++)
        {
            bool pair = char.IsSurrogatePair(text, i);
            bool letter = char.IsLetter(text, i);
            if (!letter)
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                prevLower = false;
                if (pair) i++;
                continue;
            }
            bool upper = char.IsUpper(text, i);
            if (upper && prevLower && word.Length > 0) { yield return word.ToString(); word.Clear(); }
            word.Append(text[i]);
            if (pair) word.Append(text[++i]);
            prevLower = char.IsLower(text, pair ? i - 1 : i);
        }
        if (word.Length > 0) yield return word.ToString();
    }

    private static HashSet<string> LoadStopWords()
    {
        const string name = "Coala.ML.Training.Data.english-stopwords.txt";
        using var stream = typeof(TagProcessor).Assembly.GetManifestResourceStream(name)
            ?? throw new CoalaException($"embedded resource '{name}' is missing: the Coala.ML.Training assembly is damaged");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            set.Add(line);
        }
        return set;
    }
}
