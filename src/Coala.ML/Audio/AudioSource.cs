using System.Numerics;

namespace Coala.ML.Audio;

/// <summary>
/// What every decoder shares: mixing interleaved frames to mono, rejecting NaN/Inf samples,
/// rejecting audio without a single frame, and turning decoder library exceptions into
/// <see cref="CoalaException"/>. A decoder only supplies interleaved samples.
/// </summary>
internal abstract class AudioSource : IAudioSource
{
    /// <summary>Upper bound on channels a header may declare.</summary>
    internal const int MaxChannels = 1024;


    private const int ChunkFrames = 4096;

    private float[] _interleaved = [];
    private int _buffered;     // samples in _interleaved not yet mixed (a partial frame at most)
    private long _framesRead;
    private bool _ended;
    private bool _disposed;

    protected AudioSource(string source, string formatName)
    {
        Source = source;
        FormatName = formatName;
    }

    public abstract int SampleRate { get; }
    public abstract int Channels { get; }
    public virtual long? TotalFrames => null;
    public string Source { get; }

    private string? _truncation;
    private bool _truncationChecked;

    public string? Truncation
    {
        get
        {
            if (!_ended || _disposed) return null;
            if (!_truncationChecked)
            {
                _truncationChecked = true;
                try { _truncation = DescribeTruncation(); }
                catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException) { _truncation = null; }
            }
            return _truncation;
        }
    }

    /// <summary>After the end of the audio: what is missing from a cut file, or <c>null</c> (whole, or cannot tell).</summary>
    protected virtual string? DescribeTruncation() => null;

    /// <summary>"1.52 s" of <paramref name="frames"/> at the source's rate.</summary>
    protected string Seconds(double frames) =>
        (frames / SampleRate).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";

    /// <summary>Short name of the format for messages ("WAV", "MP3", "Ogg Vorbis").</summary>
    protected string FormatName { get; }

    /// <summary>
    /// Writes the next interleaved samples into <paramref name="destination"/> (its length is a multiple
    /// of <see cref="Channels"/>); returns how many were written, 0 at the end of the audio.
    /// </summary>
    protected abstract int ReadInterleaved(Span<float> destination);

    /// <summary>Message used when the audio ends before its first frame; decoders may be more specific.</summary>
    protected virtual string NoFramesMessage => $"{FormatName} audio contains no audio samples";

    public int ReadMono(Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int channels = Channels;
        int written = 0;
        while (written < destination.Length && !_ended)
        {
            int frames = Math.Min(destination.Length - written, ChunkFrames);
            int capacity = frames * channels;
            if (_interleaved.Length < capacity)
            {
                var grown = new float[capacity];
                _interleaved.AsSpan(0, _buffered).CopyTo(grown);
                _interleaved = grown;
            }

            int got = ReadWrapped(_interleaved.AsSpan(_buffered, capacity - _buffered));
            if (got == 0)
            {
                _ended = true;
                break;
            }

            _buffered += got;
            int whole = _buffered / channels;
            MixToMono(_interleaved.AsSpan(0, whole * channels), channels, destination.Slice(written, whole));
            written += whole;
            _framesRead += whole;

            int rest = _buffered - whole * channels;
            _interleaved.AsSpan(whole * channels, rest).CopyTo(_interleaved);
            _buffered = rest;
        }

        if (_ended && _framesRead == 0)
            throw new CoalaException(NoFramesMessage, Source);
        return written;
    }

    private int ReadWrapped(Span<float> destination)
    {
        try
        {
            return ReadInterleaved(destination);
        }
        catch (CoalaException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CoalaException(
                $"{FormatName} decoding failed after {_framesRead} frames: {e.GetType().Name}: {e.Message}", Source, e);
        }
    }

    private void MixToMono(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        // Mono and stereo, the usual layouts, without the inner loop; the same sums in the same order as below.
        if (channels == 1)
        {
            int bad = IndexOfNonFinite(interleaved);
            if (bad >= 0) throw new CoalaException($"NaN/Inf sample at frame {_framesRead + bad} (channel 0)", Source);
            for (int f = 0; f < mono.Length; f++) mono[f] = 0f + interleaved[f];
            return;
        }
        if (channels == 2)
        {
            int bad = IndexOfNonFinite(interleaved);
            if (bad >= 0) throw new CoalaException($"NaN/Inf sample at frame {_framesRead + bad / 2} (channel {bad % 2})", Source);
            for (int f = 0; f < mono.Length; f++) mono[f] = (0f + interleaved[2 * f] + interleaved[2 * f + 1]) * 0.5f;
            return;
        }
        float scale = 1f / channels;
        for (int f = 0, i = 0; f < mono.Length; f++)
        {
            float sum = 0f;
            for (int c = 0; c < channels; c++, i++)
            {
                float v = interleaved[i];
                if (!float.IsFinite(v))
                    throw new CoalaException($"NaN/Inf sample at frame {_framesRead + f} (channel {c})", Source);
                sum += v;
            }
            mono[f] = sum * scale;
        }
    }

    /// <summary>Index of the first NaN or infinite value, or -1 (a vector at a time: x - x is 0 only for finite x).</summary>
    internal static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        int w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + w <= values.Length; i += w)
            {
                var v = new Vector<float>(values.Slice(i, w));
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;   // the scalar loop below finds which
            }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Rejects channel counts and rates no real audio has, naming the value.</summary>
    protected static void CheckLayout(int channels, long sampleRate, string formatName, string source)
    {
        if (channels < 1 || channels > MaxChannels)
            throw new CoalaException(
                $"{formatName} header declares {channels} channels (expected 1 to {MaxChannels}); the file is corrupt", source);
        if (!AudioSamples.IsValidRate(sampleRate))
            throw new CoalaException(
                $"{formatName} header declares a sample rate of {sampleRate} Hz ({AudioSamples.RateBounds}); the file is corrupt", source);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DisposeDecoder();
    }

    /// <summary>Releases the decoder and any stream the source owns.</summary>
    protected abstract void DisposeDecoder();
}
