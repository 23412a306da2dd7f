namespace Coala.ML.Training;

/// <summary>Kinds of reasons for leaving something out of a prepared corpus.</summary>
public static class DropCategory
{
    /// <summary>A CSV line that could not be read (bad quoting, bad path).</summary>
    public const string BadCsvLine = "bad CSV line";
    /// <summary>A clip with no tag left after tag processing.</summary>
    public const string NoTags = "no tags";
    /// <summary>A file the CSV names that does not exist.</summary>
    public const string Missing = "file not found";
    /// <summary>Audio that could not be decoded.</summary>
    public const string Unreadable = "unreadable";
    /// <summary>Audio whose peak is below -120 dBFS.</summary>
    public const string Silent = "silent";
    /// <summary>Audio shorter than one FFT window at the frontend rate.</summary>
    public const string TooShort = "too short";
    /// <summary>The same audio as an earlier kept clip.</summary>
    public const string Duplicate = "duplicate";
    /// <summary>A patch too similar to an earlier kept clip's (<see cref="PrepareOptions.NearDuplicateThreshold"/>).</summary>
    public const string NearDuplicate = "near-duplicate";
    /// <summary>A clip none of whose tags made the vocabulary.</summary>
    public const string NoVocabularyTag = "no vocabulary tag";
    /// <summary>A clip with more distinct tags than a clip may have.</summary>
    public const string TooManyTags = "too many tags";

    /// <summary>Classifies a decoding failure message ("silent", "too short", else unreadable).</summary>
    internal static string OfAudioError(string message) =>
        message.Contains("silent", StringComparison.OrdinalIgnoreCase) ? Silent
        : message.Contains("too short", StringComparison.OrdinalIgnoreCase) ? TooShort
        : Unreadable;
}
