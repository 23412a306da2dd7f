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
