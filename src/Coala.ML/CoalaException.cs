namespace Coala.ML;

/// <summary>
/// The one error type of Coala.ML: bad audio, a wrong or missing model, invalid options.
/// The message always says what was wrong and, where there is one, which file.
/// </summary>
public sealed class CoalaException : Exception
{
    /// <summary>The file the error is about, or <c>null</c> when it concerns no file.</summary>
    public string? FilePath { get; }

    /// <summary>An error about <paramref name="filePath"/> (or about no file), with the exception that caused it.</summary>
    public CoalaException(string message, string? filePath = null, Exception? inner = null)
        : base(filePath is null ? message : $"{filePath}: {message}", inner)
    {
        FilePath = filePath;
    }
}
