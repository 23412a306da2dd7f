using NVorbis;

namespace Coala.ML.Audio;

/// <summary>Ogg Vorbis decoded by NVorbis' <see cref="VorbisReader"/> (first logical stream).</summary>
internal sealed class VorbisSource : AudioSource
{
    private readonly VorbisReader _reader;
    private readonly long? _totalFrames;

    public override int SampleRate { get; }
    public override int Channels { get; }
    public override long? TotalFrames => _totalFrames;

    public VorbisSource(Stream stream, string source, bool ownsStream) : base(source, "Ogg Vorbis")
    {
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

    protected override int ReadInterleaved(Span<float> destination) => _reader.ReadSamples(destination);

    protected override void DisposeDecoder() => _reader.Dispose();
}
