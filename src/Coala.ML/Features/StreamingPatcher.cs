using Coala.ML.Audio;
namespace Coala.ML.Features;

/// <summary>
/// The one patcher: samples at the model's rate go in piece by piece (<see cref="Append"/>, then <see cref="Complete"/>),
/// finished patches come out in order (<see cref="TakePatches"/>), and the concatenation of the patches is bit for bit
/// the same whatever the piece sizes (<see cref="CoalaFrontend.EmbeddingPatches"/> is this with one piece).
/// Memory is bounded by the largest piece appended, two FFT sizes and the patches not yet taken.
/// </summary>
/// <remarks>
/// A frame is computed as soon as every sample it reads has arrived and cannot depend on the signal's length: the
/// leading frames' reflect padding only once at least FftSize + 2 samples are known (shorter signals reflect
/// repeatedly), the trailing frames (reflect padding at the end, the zero padding of a clip shorter than one patch)
/// only at <see cref="Complete"/>. A patch is released when its last frame is computed; such a patch is always one
/// the one-shot path keeps, and the trailing partial patch is dropped at <see cref="Complete"/>, as there.
/// With a window hop shorter than a patch (per-window embeddings with overlap), patch k covers frames
/// k * hop .. k * hop + PatchFrames - 1; at the default hop (one patch) the patches are the non-overlapping ones above.
/// Not thread-safe.
/// </remarks>
internal sealed class StreamingPatcher
{
    private readonly LogMelSpectrogram _mel;
    private readonly FrontendSettings _settings;
    private readonly int _hop, _nfft, _half, _patchFrames, _per, _windowHop;
    private readonly string? _source;
    private readonly float[] _patch;        // the last PatchFrames frames, [band, frame % PatchFrames]
    private float[] _buffer = new float[1 << 14];
    private long _bufferStart;              // sample index of _buffer[0]
    private int _count;                     // valid samples in _buffer
    private long _nextFrame;
    private float[] _ready = [];            // finished patches not yet taken, [patch, band, frame]
    private int _readyCount;
    private bool _completed;

    /// <summary>A patcher for <paramref name="settings"/>; <paramref name="source"/> names the audio in errors.</summary>
    /// <param name="settings">the frontend.</param>
    /// <param name="source">names the audio in errors.</param>
    /// <param name="windowHopFrames">frames between the starts of consecutive patches: 1 .. PatchFrames (default: PatchFrames, no overlap).</param>
    public StreamingPatcher(FrontendSettings settings, string? source = null, int? windowHopFrames = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int windowHop = windowHopFrames ?? settings.PatchFrames;
        if (windowHop < 1 || windowHop > settings.PatchFrames)
            throw new ArgumentOutOfRangeException(nameof(windowHopFrames), windowHop, $"the window hop must be 1 to {settings.PatchFrames} frames");
        _windowHop = windowHop;
        _mel = new LogMelSpectrogram(settings);   // validates the settings
        _hop = settings.HopLength;
        _nfft = settings.FftSize;
        _half = _nfft / 2;
        _patchFrames = settings.PatchFrames;
        _per = settings.MelBands * settings.PatchFrames;
        _settings = settings;
        _source = source;
        _patch = new float[_per];
    }

    /// <summary>Values in one patch (bands x frames).</summary>
    public int PatchValues => _per;

    /// <summary>Samples appended so far.</summary>
    public long SampleCount => _bufferStart + _count;

    /// <summary>Finished patches waiting to be taken.</summary>
    public int ReadyPatches => _readyCount;

    /// <summary>Patches released so far, taken or not.</summary>
    public long PatchCount { get; private set; }

    /// <summary>Whether <see cref="Complete"/> has run: no more patches will come after the ready ones.</summary>
    public bool IsComplete => _completed;

    /// <summary>
    /// Appends samples at the model's rate and computes every frame that is now final. A NaN or infinite sample is a
    /// <see cref="CoalaException"/> naming the source.
    /// </summary>
    public void Append(ReadOnlySpan<float> samples)
    {
        if (_completed) throw new InvalidOperationException("the patcher was completed");
        AudioSamples.CheckFinite(samples, SampleCount, _source);
        MakeRoom(samples.Length);
        samples.CopyTo(_buffer.AsSpan(_count));
        _count += samples.Length;

        long total = SampleCount;
        if (total < _nfft + 2)
            return;   // the leading frames' reflection depends on the length until then
        // The last sample frame t reads is t * hop + n_fft/2 (frame 0's reflection), or t * hop + n_fft/2 - 1.
        while (_nextFrame * _hop + _half < total)
            ComputeFrame(total, total);
    }

    /// <summary>
    /// Ends the signal: computes the trailing frames (reflect padding at the end; a clip shorter than one patch is
    /// zero-padded to exactly one) and drops a trailing partial patch. No samples at all is a
    /// <see cref="CoalaException"/> naming the source. Calling it again does nothing.
    /// </summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        long n = SampleCount;
        if (n == 0) AudioSamples.Check([], _source);
        long length = Math.Max(n, _settings.MinSamplesForOnePatch);
        long frames = (_settings.PatchCount(n, _windowHop) - 1) * _windowHop + _patchFrames;   // to the last whole patch's end
        while (_nextFrame < frames)
            ComputeFrame(n, length);
    }

    /// <summary>Moves up to <c>destination.Length / PatchValues</c> ready patches, oldest first; returns how many.</summary>
    public int TakePatches(Span<float> destination)
    {
        int n = Math.Min(_readyCount, destination.Length / _per);
        if (n == 0) return 0;
        _ready.AsSpan(0, n * _per).CopyTo(destination);
        _ready.AsSpan(n * _per, (_readyCount - n) * _per).CopyTo(_ready);
        _readyCount -= n;
        return n;
    }

    private void ComputeFrame(long count, long length)
    {
        int f = (int)(_nextFrame % _patchFrames);
        _mel.WriteFrame(_buffer.AsSpan(0, _count), _bufferStart, count, length, _nextFrame, _patch, f, _patchFrames);
        long end = ++_nextFrame;   // frames computed: the patch ending here starts at end - PatchFrames
        if (end < _patchFrames || (end - _patchFrames) % _windowHop != 0) return;

        if ((long)(_readyCount + 1) * _per > _ready.Length)
            Array.Resize(ref _ready, (int)Math.Min(Array.MaxLength, Math.Max((long)(_readyCount + 1) * _per, 2L * _ready.Length)));
        var dest = _ready.AsSpan(_readyCount * _per, _per);
        int first = (int)(end % _patchFrames); // column of the patch's first frame in the circular _patch
        if (first == 0) _patch.CopyTo(dest);  // the non-overlapping case: columns already in order
        else
        {
            int bands = _per / _patchFrames, tail = _patchFrames - first;
            for (int b = 0; b < bands; b++)
            {
                var row = _patch.AsSpan(b * _patchFrames, _patchFrames);
                row[first..].CopyTo(dest.Slice(b * _patchFrames, tail));
                row[..first].CopyTo(dest.Slice(b * _patchFrames + tail, first));
            }
        }
        _readyCount++;
        PatchCount++;
    }

    /// <summary>Drops samples no pending frame can read any more, then grows the buffer if it still lacks room.</summary>
    private void MakeRoom(int incoming)
    {
        if ((long)_count + incoming <= _buffer.Length) return;
        // The next frame starts at next * hop - n_fft/2; a trailing frame's reflection reads at most n_fft before
        // its start. Keep one more n_fft for margin.
        long keepFrom = Math.Max(0, _nextFrame * _hop - _half - 2L * _nfft);
        int drop = (int)Math.Clamp(keepFrom - _bufferStart, 0, _count);
        if (drop > 0)
        {
            Array.Copy(_buffer, drop, _buffer, 0, _count - drop);
            _bufferStart += drop;
            _count -= drop;
        }
        if ((long)_count + incoming > _buffer.Length)
        {
            long size = Math.Max((long)_count + incoming, 2L * _buffer.Length);
            if ((long)_count + incoming > Array.MaxLength)
                throw new CoalaException($"{incoming} samples in one piece are too many to buffer", _source);
            Array.Resize(ref _buffer, (int)Math.Min(size, Array.MaxLength));
        }
    }
}
