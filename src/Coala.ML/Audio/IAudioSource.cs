namespace Coala.ML.Audio;

/// <summary>
/// A decoded audio stream read piece by piece as mono samples, so files of any length can be
/// processed in bounded memory. Open one with <see cref="AudioReader.Open(string)"/>.
/// </summary>
/// <remarks>
/// Samples are floats nominally in [-1, 1] (not clipped); channels are mixed to their mean.
/// Every failure (corrupt data, decoder errors, NaN/Inf samples, no audio at all) surfaces as a
/// <see cref="CoalaException"/> whose <see cref="CoalaException.FilePath"/> is <see cref="Source"/>.
/// Not thread-safe.
/// </remarks>
internal interface IAudioSource : IDisposable
{
    /// <summary>Frames (samples per channel) per second of the decoded audio.</summary>
    int SampleRate { get; }

    /// <summary>Channels in the file; <see cref="ReadMono"/> averages them.</summary>
    int Channels { get; }

    /// <summary>Frames the header announces, or <c>null</c> when the format cannot tell without decoding.
    /// A hint only: truncated files deliver fewer.</summary>
    long? TotalFrames { get; }

    /// <summary>The file path or caller-given name used in error messages.</summary>
    string Source { get; }

    /// <summary>
    /// Once the audio has ended: <c>null</c> when the file was whole, else what is missing ("the WAV 'data' chunk
    /// declares ... bytes, the file holds ...: 1.52 s of audio missing"). The audio that is there has been decoded;
    /// whether a cut file is an error is the caller's choice (<c>coala embed</c> embeds it and warns). Streams that
    /// cannot seek are checked only where the format tells without seeking (WAV).
    /// </summary>
    string? Truncation { get; }

    /// <summary>
    /// Decodes the next mono frames into <paramref name="destination"/>. Fills it completely unless the
    /// audio ends first; returns the number of frames written, 0 once the end has been reached.
    /// </summary>
    int ReadMono(Span<float> destination);
}
