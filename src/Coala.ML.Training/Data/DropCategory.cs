namespace Coala.ML.Training;

/// <summary>Kinds of reasons for leaving something out of a prepared corpus.</summary>
public static class DropCategory
{
    /// <summary>A CSV line that could not be read (bad quoting, bad path).</summary>
    public const string BadCsvLine = "bad CSV line";
    public const string NoTags = "no tags";
    public const string Missing = "file not found";
    public const string Unreadable = "unreadable";
    public const string Silent = "silent";
    public const string TooShort = "too short";
    public const string Duplicate = "duplicate";
    public const string NearDuplicate = "near-duplicate";
    public const string NoVocabularyTag = "no vocabulary tag";
    public const string TooManyTags = "too many tags";

    /// <summary>Classifies a decoding failure message ("silent", "too short", else unreadable).</summary>
    internal static string OfAudioError(string message) =>
        message.Contains("silent", StringComparison.OrdinalIgnoreCase) ? Silent
        : message.Contains("too short", StringComparison.OrdinalIgnoreCase) ? TooShort
        : Unreadable;
}
