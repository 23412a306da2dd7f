using System.ComponentModel;

namespace Coala.ML;

/// <summary>
/// Input text quoted in a message or a report, cut to a readable length: a 100,000-character tag or path is echoed
/// as its first characters and its length, never in full.
/// </summary>
/// <remarks>
/// Infrastructure shared by Coala.ML, Coala.ML.Training and the coala tool (public so that no package reaches into
/// another's internals); hidden from IntelliSense and not a supported API: it may change in any release.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Excerpt
{
    /// <summary>Characters of a quoted value kept in messages.</summary>
    public const int DefaultLength = 80;

    /// <summary>The text cut to at most <paramref name="max"/> characters (an ellipsis marks the cut), control characters escaped.</summary>
    public static string Of(string text, int max = DefaultLength)
    {
        if (text.Length <= max) return text;
        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return $"{text[..cut]}... ({text.Length:N0} characters)";
    }

    /// <summary>The first <paramref name="maxItems"/> items, each cut with <see cref="Of"/>, joined by <paramref name="separator"/>, and how many more.</summary>
    public static string Join(IReadOnlyCollection<string> items, char separator = ' ', int maxItems = 20)
    {
        var shown = string.Join(separator, items.Take(maxItems).Select(i => Of(i)));
        return items.Count > maxItems ? $"{shown}{separator}... ({items.Count - maxItems:N0} more)" : shown;
    }
}
