namespace Coala.ML.Tests.Audio;

/// <summary>A temporary folder for files a test writes; deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("coala-audio-").FullName;

    /// <summary>Writes <paramref name="bytes"/> to a file named <paramref name="name"/> and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, bytes);
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Locates committed fixtures and the shared data folder that sits beside the repository.</summary>
internal static class TestData
{
    /// <summary>A fixture copied to the test output folder from tests/Coala.ML.Tests/Fixtures/audio.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "audio", name);

    /// <summary>The FSDD recordings folder: the first ancestor of the test binaries holding shared/data/fsdd.</summary>
    public static string FsddRecordings()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "fsdd", "recordings");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"shared/data/fsdd/recordings not found above {AppContext.BaseDirectory}; ../shared must sit beside the repository");
    }
}

/// <summary>A read-only stream that cannot seek, like a pipe.</summary>
internal sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
{
    public bool Disposed { get; private set; }
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 333)]);
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 333));
    protected override void Dispose(bool disposing) { Disposed = true; base.Dispose(disposing); }
}
