namespace Coala.ML.Audio;

/// <summary>Forwards reads to a stream but never closes it, so a decoder that disposes its input leaves the caller's stream open.</summary>
internal sealed class UnclosableStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A forward-only stream that first replays bytes already taken from <paramref name="inner"/> (to sniff the
/// format of a non-seekable input), then continues with the rest of it. Disposing it disposes the inner stream
/// only when <paramref name="ownsInner"/> is set.
/// </summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner, bool ownsInner) : Stream
{
    private int _prefixPos;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes read so far (NLayer reads it even from streams that cannot seek); cannot be set.</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPos < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
            _position += n;
            return n;
        }
        int got = inner.Read(buffer);
        _position += got;
        return got;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsInner)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
