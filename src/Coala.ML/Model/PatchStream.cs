using Coala.ML.Audio;
using Coala.ML.Features;

namespace Coala.ML.Model;

/// <summary>
/// A file's patches in bounded memory: streaming decode (<see cref="AudioReader.Open(string)"/>, channels mixed to
/// mono exactly as <see cref="AudioReader.Read(string)"/>), <see cref="StreamingResampler"/> to the model's rate (bit
/// for bit the one-shot resampler) and <see cref="StreamingPatcher"/> (bit for bit
/// <see cref="CoalaFrontend.EmbeddingPatches"/>). The patches read one after another are exactly those of
/// <see cref="PatchSource.FromSamples"/> on the whole decoded file. Every failure is a <see cref="CoalaException"/>
/// naming the file. Not thread-safe; dispose it to close the file.
/// </summary>
public sealed class PatchStream : IDisposable
{
    /// <summary>Mono frames decoded per step: the working set does not depend on the file's length.</summary>
    private const int ReadFrames = 1 << 15;

    private readonly IAudioSource _audio;
    private readonly StreamingResampler? _resampler;
    private readonly StreamingPatcher _patcher;
    private readonly float[] _decoded = new float[ReadFrames];
    private float[] _resampled = [];
    private bool _ended;

    /// <summary>Opens <paramref name="path"/> for <paramref name="settings"/>; patches start every <paramref name="windowHopFrames"/> frames (default: one patch, no overlap).</summary>
    public PatchStream(string path, FrontendSettings settings, int? windowHopFrames = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Source = path;
        _patcher = new StreamingPatcher(settings, path, windowHopFrames);
        _audio = AudioReader.Open(path);
        try
        {
            if (_audio.SampleRate != settings.SampleRate)
                _resampler = new StreamingResampler(_audio.SampleRate, settings.SampleRate);
        }
        catch (CoalaException e) when (e.FilePath is null)
        {
            _audio.Dispose();
            throw new CoalaException(e.Message, path, e);
        }
        catch
        {
            _audio.Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string Source { get; }

    /// <summary>Values in one patch (bands x frames).</summary>
    public int PatchValues => _patcher.PatchValues;

    /// <summary>Once every patch was read: what a cut file is missing, or <c>null</c> (<see cref="Audio.IAudioSource.Truncation"/>).</summary>
    public string? Truncation => _audio.Truncation;

    /// <summary>
    /// Writes the next patches, at most <c>destination.Length / PatchValues</c> and fewer only at the end of the
    /// file, laid out [patch, band, frame]; returns how many, 0 once all were read.
    /// </summary>
    public int Read(Span<float> destination)
    {
        int want = destination.Length / _patcher.PatchValues;
        if (want == 0) throw new ArgumentException($"room for at least one patch ({_patcher.PatchValues} values) is needed", nameof(destination));
        while (_patcher.ReadyPatches < want && !_patcher.IsComplete)
            Step();
        return _patcher.TakePatches(destination);
    }

    private void Step()
    {
        if (_ended)
        {
            _patcher.Complete();
            return;
        }
        int got = _audio.ReadMono(_decoded);
        if (got == 0)
        {
            _ended = true;
            if (_resampler is not null)
            {
                EnsureRoom((int)Math.Min(_resampler.FlushLength, ReadFrames * 4L));
                int w;
                while ((w = _resampler.Flush(_resampled)) > 0)
                    _patcher.Append(_resampled.AsSpan(0, w));
            }
            _patcher.Complete();
            return;
        }
        if (_resampler is null)
        {
            _patcher.Append(_decoded.AsSpan(0, got));
            return;
        }
        // A large rate ratio can give many outputs per input: take them in pieces of bounded size.
        long pending = _resampler.OutputLengthFor(got);
        EnsureRoom((int)Math.Clamp(pending, 1, ReadFrames * 4L));
        int written = _resampler.Process(_decoded.AsSpan(0, got), _resampled);
        _patcher.Append(_resampled.AsSpan(0, written));
        while (written < pending)
        {
            int more = _resampler.Process([], _resampled);
            if (more == 0) break;
            _patcher.Append(_resampled.AsSpan(0, more));
            written += more;
        }
    }

    private void EnsureRoom(int size)
    {
        if (_resampled.Length < Math.Max(size, 1))
            _resampled = new float[Math.Max(size, 1)];
    }

    /// <inheritdoc />
    public void Dispose() => _audio.Dispose();
}
