using NLayer;

namespace Coala.ML.Audio;

/// <summary>MPEG audio (MP3, also layers I/II) decoded by NLayer's <see cref="MpegFile"/>.</summary>
internal sealed class Mp3Source : AudioSource
{
    private readonly MpegFile _mpeg;
    private readonly Stream _stream;
    private readonly bool _ownsStream;

    public override int SampleRate { get; }
    public override int Channels { get; }

    public Mp3Source(Stream stream, string source, bool ownsStream) : base(source, "MP3")
    {
        _stream = stream;
        _ownsStream = ownsStream;
        // NLayer may close the stream it is given; a caller's stream stays open behind this wrapper.
        _mpeg = Decoders.Open(() => new MpegFile(new UnclosableStream(stream)), "MP3", source);
        (Channels, SampleRate) = Decoders.Open(() => (_mpeg.Channels, _mpeg.SampleRate), "MP3", source);
        CheckLayout(Channels, SampleRate, "MP3", source);
    }

    protected override string NoFramesMessage => "MP3 stream contains no decodable audio frames";

    protected override int ReadInterleaved(Span<float> destination) => _mpeg.ReadSamples(destination);

    protected override string? DescribeTruncation() =>
        _stream.CanSeek ? MpegFrames.DescribeTruncation(_stream, SampleRate, Seconds) : null;

    protected override void DisposeDecoder()
    {
        _mpeg.Dispose();
        if (_ownsStream)
            _stream.Dispose();
    }
}
