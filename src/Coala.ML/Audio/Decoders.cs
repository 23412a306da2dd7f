namespace Coala.ML.Audio;

/// <summary>Helpers shared by the decoders that wrap third-party libraries.</summary>
internal static class Decoders
{
    /// <summary>Runs a decoder call made while opening, turning whatever the library throws into a <see cref="CoalaException"/>.</summary>
    public static T Open<T>(Func<T> open, string formatName, string source)
    {
        try
        {
            return open();
        }
        catch (CoalaException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CoalaException(
                $"{formatName} stream could not be opened (corrupt or not {formatName}): {e.GetType().Name}: {e.Message}", source, e);
        }
    }
}
