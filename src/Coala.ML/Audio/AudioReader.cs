namespace Coala.ML.Audio;

/// <summary>
/// Opens or reads audio files: WAV (PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE),
/// MP3 (NLayer) and Ogg Vorbis (NVorbis). The format is recognised from the content, not the extension.
/// Every failure is a <see cref="CoalaException"/> whose <see cref="CoalaException.FilePath"/> is the file.
/// </summary>
public static class AudioReader
{
    /// <summary>Opens <paramref name="path"/> for streaming; the source owns and closes the file.</summary>
    internal static IAudioSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Stream stream = OpenFile(path);
        return OpenOwned(stream, path, ownsStream: true);
    }

    /// <summary>
    /// Opens audio from <paramref name="stream"/> (read from its current position; seekable or not),
    /// naming it <paramref name="source"/> in errors. The caller keeps ownership of the stream.
    /// </summary>
    internal static IAudioSource Open(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!stream.CanRead)
            throw new CoalaException("stream is not readable", source);
        return OpenOwned(stream, source, ownsStream: false);
    }

    /// <summary>Reads the whole file as mono samples at its own sample rate.</summary>
    public static AudioClip Read(string path)
    {
        using var audio = Open(path);
        return ReadAll(audio);
    }

    /// <summary>Reads all of <paramref name="stream"/> as mono samples at its own sample rate; the stream is not closed.</summary>
    public static AudioClip Read(Stream stream, string source)
    {
        using var audio = Open(stream, source);
        return ReadAll(audio);
    }

    /// <summary>Reads what remains of <paramref name="audio"/> into one clip.</summary>
    internal static AudioClip ReadAll(IAudioSource audio)
    {
        // The header's length is only a hint (it may lie): start at most at 4M samples and grow.
        long hint = audio.TotalFrames ?? audio.SampleRate;
        var samples = new float[(int)Math.Clamp(hint, 1, 1 << 22)];
        int count = 0;
        while (true)
        {
            if (count == samples.Length)
            {
                if (samples.Length == Array.MaxLength)
                    throw new CoalaException($"audio is longer than {Array.MaxLength} samples; read it as a stream", audio.Source);
                Array.Resize(ref samples, (int)Math.Min((long)samples.Length * 2, Array.MaxLength));
            }
            int got = audio.ReadMono(samples.AsSpan(count));
            if (got == 0)
                break;
            count += got;
        }
        Array.Resize(ref samples, count);
        return new AudioClip(samples, audio.SampleRate, audio.Source);
    }

    private static Stream OpenFile(string path)
    {
        if (Directory.Exists(path))
            throw new CoalaException("is a directory, not an audio file", path);
        if (!File.Exists(path))
            throw new CoalaException(path.Contains('\uFFFD')
                ? "audio file not found: its name is not valid UTF-8 (shown with U+FFFD), and .NET opens files only by UTF-8 names; rename it"
                : "audio file not found", path);
        // A FIFO would block until a writer comes, a device would never end: only regular files are audio files here
        // (AudioReader.Open(Stream, ...) reads a pipe deliberately).
        var kind = IO.FileStatus.Of(path).Kind;
        if (kind is not (IO.FileKind.Regular or IO.FileKind.Missing))
            throw new CoalaException($"is {IO.FileStatus.Describe(kind)}, not a regular file; only regular files are read", path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CoalaException($"audio file cannot be opened: {e.Message}", path, e);
        }
    }

    private static IAudioSource OpenOwned(Stream stream, string source, bool ownsStream)
    {
        try
        {
            var (format, input) = Sniff(stream, source, ownsStream);
            bool ownsInput = ownsStream || input != stream;   // a replaying wrapper is always ours to close
            return format switch
            {
                AudioFormat.Wav => new WavSource(input, source, ownsInput),
                AudioFormat.Mp3 => new Mp3Source(input, source, ownsInput),
                AudioFormat.OggVorbis => new VorbisSource(input, source, ownsInput),
                _ => throw new CoalaException($"no decoder for {format}", source),
            };
        }
        catch (Exception e)
        {
            if (ownsStream)
                stream.Dispose();
            if (e is CoalaException or OutOfMemoryException)
                throw;
            throw new CoalaException($"audio could not be opened: {e.GetType().Name}: {e.Message}", source, e);
        }
    }

    /// <summary>
    /// Reads the first bytes to recognise the format and returns a stream positioned at the start of the
    /// content again: the same stream when it can seek, otherwise one that replays the bytes read.
    /// </summary>
    private static (AudioFormat Format, Stream Input) Sniff(Stream stream, string source, bool ownsStream)
    {
        var head = new byte[AudioFormatDetector.PeekBytes];
        long start = stream.CanSeek ? stream.Position : 0;
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var format = AudioFormatDetector.Detect(head.AsSpan(0, got), source);
        if (stream.CanSeek)
        {
            stream.Position = start;
            return (format, stream);
        }
        return (format, new PrefixedStream(head[..got], stream, ownsStream));
    }
}
