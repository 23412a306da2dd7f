using NVorbis;

namespace Coala.ML.Audio;

/// <summary>Ogg Vorbis decoded by NVorbis' <see cref="VorbisReader"/> (first logical stream).</summary>
internal sealed class VorbisSource : AudioSource
{
    private readonly VorbisReader _reader;
    private readonly Stream _stream;
    private readonly long? _totalFrames;

    public override int SampleRate { get; }
    public override int Channels { get; }
    public override long? TotalFrames => _totalFrames;

    public VorbisSource(Stream stream, string source, bool ownsStream) : base(source, "Ogg Vorbis")
    {
        _stream = stream;
        _reader = Decoders.Open(() => new VorbisReader(stream, closeOnDispose: ownsStream), "Ogg Vorbis", source);
        (Channels, SampleRate, _totalFrames) = Decoders.Open(() =>
        {
            _reader.ClipSamples = false;   // AudioClip promises unclipped samples
            long total = stream.CanSeek ? _reader.TotalSamples : 0;   // NVorbis finds it by seeking to the last page
            return (_reader.Channels, _reader.SampleRate, total > 0 ? total : (long?)null);
        }, "Ogg Vorbis", source);
        CheckLayout(Channels, SampleRate, "Ogg Vorbis", source);
    }

    protected override string NoFramesMessage => "Ogg Vorbis stream contains no audio samples";

    // NVorbis 0.10.5 can spin forever when asked for samples past the end of some streams (seen on a real
    // 1 s file of Debian's lmms-common, shapes/sine_dist.ogg): where the length is known, never ask past it.
    protected override int ReadInterleaved(Span<float> destination)
    {
        if (_totalFrames is long total)
        {
            long remaining = (total - _reader.SamplePosition) * Channels;
            if (remaining <= 0) return 0;
            if (remaining < destination.Length) destination = destination[..(int)remaining];
        }
        return _reader.ReadSamples(destination);
    }

    protected override string? DescribeTruncation() => _stream.CanSeek ? OggPages.DescribeTruncation(_stream) : null;

    protected override void DisposeDecoder() => _reader.Dispose();
}
