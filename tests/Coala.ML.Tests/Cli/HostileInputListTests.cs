using Coala.ML.Tests.Tags;
using Coala.ML.Tests.TestSupport;
using static Coala.ML.Tests.TestSupport.HostileCli;

namespace Coala.ML.Tests.Cli;

/// <summary>Issue 18, items 9-11 and 13: inputs that could hang the CLI or inject options.</summary>
[Collection("Console")]
public class HostileInputListTests
{
    [Fact]
    public void AFifoNamedWavIsSkippedWithItsReasonNotRead()
    {
        var (dir, _) = FolderWithWav("in-fifo");
        var fifo = Posix.MakeFifo(Path.Combine(dir, "pipe.wav"));
        var csv = Path.Combine(dir, "o.csv");

        var (code, _, stderr) = Embed(dir, csv);
        Assert.Equal(2, code);
        Says("pipe.wav", stderr);
        Says("named pipe (FIFO), not a regular file", stderr);
        Assert.Equal(2, File.ReadAllLines(csv).Length);

        (code, _, stderr) = Embed(fifo, csv);
        Assert.Equal(1, code);
        Says("not a regular file", stderr);
    }

    [Fact]
    public void SearchSkipsAFifoToo()
    {
        var m = TagTestModel.Create();
        var (dir, _) = FolderWithWav("in-fifo-search");
        Posix.MakeFifo(Path.Combine(dir, "pipe.wav"));

        var (code, stdout, stderr) = RunCli("search", "dog", dir, "--model", m.Encoder);

        Assert.Equal(2, code);
        Assert.Contains("a.wav", stdout);
        Says("named pipe (FIFO)", stderr);
    }

    [Fact]
    public void TheLibraryRefusesAFifoAsAnAudioFile()
    {
        var dir = TestAssets.TempDir("in-fifo-lib");
        var fifo = Posix.MakeFifo(Path.Combine(dir, "pipe.wav"));
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel() });
        var e = Posix.WithTimeout(() => Assert.Throws<CoalaException>(() => embedder.EmbedFile(fifo)), 30);
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void SymlinkLoopsAreWalkedOnceAndReported()
    {
        var dir = TestAssets.TempDir("in-loop");
        var audio = Directory.CreateDirectory(Path.Combine(dir, "audio")).FullName;
        var sub = Directory.CreateDirectory(Path.Combine(audio, "sub")).FullName;
        Wav(audio, "a.wav", 1);
        Wav(sub, "b.wav", 2);
        Directory.CreateSymbolicLink(Path.Combine(audio, "self"), ".");       // audio/self -> audio
        Directory.CreateSymbolicLink(Path.Combine(sub, "up"), "..");          // audio/sub/up -> audio (a second loop)
        var csv = Path.Combine(dir, "o.csv");

        var (code, _, stderr) = Embed(audio, csv, "--recursive");

        Assert.True(code == 0, stderr);
        var rows = File.ReadAllLines(csv).Skip(1).Select(l => l[..l.IndexOf(',')]).ToList();
        Assert.Equal([Path.Combine(audio, "a.wav"), Path.Combine(sub, "b.wav")], rows);
        Says("self", stderr);
        Says("the same folder as", stderr);
    }

    [Fact]
    public void AnAtFileIsAnInputNotAResponseFile()
    {
        var (dir, wav) = FolderWithWav("in-at");
        var args = Path.Combine(dir, "args");
        File.WriteAllText(args, "--help");

        // With response files on, "@<path>" would be replaced by the file's words (here: --help, exit 0).
        var (code, stdout, stderr) = RunCli("embed", wav, "@" + args, "-o", Path.Combine(dir, "o.csv"), "--model", TestAssets.RandomModel());

        Assert.Equal(2, code);
        Assert.DoesNotContain("Usage", stdout);
        Says("@/", stderr);
        Says("no such file or folder", stderr);
    }

    [Fact]
    public void ANameThatIsNotUtf8IsReportedAsSuchNotAsMissing()
    {
        var (dir, _) = FolderWithWav("in-utf8");
        Posix.CreateRawName(dir, [(byte)'b', 0xff, 0xfe, (byte)'.', (byte)'w', (byte)'a', (byte)'v']);

        var (code, _, stderr) = Embed(dir, Path.Combine(dir, "o.csv"));

        Assert.Equal(2, code);
        Says("not valid UTF-8", stderr);
    }

    [Fact]
    public void ATruncatedWavIsEmbeddedAsFarAsItGoesWithAWarning()
    {
        var (dir, _) = FolderWithWav("in-cut");
        var whole = File.ReadAllBytes(Wav(dir, "b.wav", 2));
        File.WriteAllBytes(Path.Combine(dir, "b.wav"), whole[..(whole.Length / 2)]);   // the header still says 1 s
        var csv = Path.Combine(dir, "o.csv");

        var (code, _, stderr) = Embed(dir, csv);

        Assert.True(code == 0, stderr);
        Assert.Equal(3, File.ReadAllLines(csv).Length);
        Says("1 file(s) are truncated", stderr);
        Says("b.wav: truncated: the WAV 'data' chunk declares 44000 bytes", stderr);
    }
}
