using Coala.ML.Cli.Commands;
using Coala.ML.Tests.TestSupport;
using static Coala.ML.Tests.TestSupport.HostileCli;

namespace Coala.ML.Tests.Cli;

/// <summary>Issue 18, items 1-4 and 13: an output of <c>coala embed</c> can destroy no data and fails before the work.</summary>
[Collection("Console")]
public class HostileOutputTests
{
    [Fact]
    public void ASymlinkOutputIsWrittenThroughAndStaysALink()
    {
        var (dir, wav) = FolderWithWav("out-link");
        var real = Path.Combine(dir, "real.csv");
        File.WriteAllText(real, "old");
        var link = Path.Combine(dir, "link.csv");
        File.CreateSymbolicLink(link, real);

        var (code, _, stderr) = Embed(wav, link);

        Assert.True(code == 0, stderr);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.StartsWith("path,e0,", File.ReadAllText(real));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
    }

    [Fact]
    public async Task AFifoOutputIsStreamedToAndNotReplaced()
    {
        var (dir, wav) = FolderWithWav("out-fifo");
        var fifo = Posix.MakeFifo(Path.Combine(dir, "pipe.csv"));
        var reader = Task.Factory.StartNew(() => File.ReadAllText(fifo), TaskCreationOptions.LongRunning);

        var (code, _, stderr) = Embed(wav, fifo);

        Assert.True(code == 0, stderr);
        var first = await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(first == reader, "the reader of the FIFO got nothing");
        var text = await reader;
        Assert.StartsWith("path,e0,", text);
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(IO.FileKind.Fifo, IO.FileStatus.Of(fifo).Kind);
    }

    [Fact]
    public void ALinkToADeviceIsStreamedToAndNeitherIsReplaced()
    {
        var (dir, wav) = FolderWithWav("out-dev");
        var link = Path.Combine(dir, "null.csv");
        File.CreateSymbolicLink(link, "/dev/null");

        var (code, _, stderr) = Embed(wav, link);

        Assert.True(code == 0, stderr);
        Assert.Equal("/dev/null", new FileInfo(link).LinkTarget);
        Assert.Equal(IO.FileKind.CharacterDevice, IO.FileStatus.Of("/dev/null").Kind);
    }

    [Fact]
    public void AnOutputThatIsAnInputIsRefusedBeforeAnyWork()
    {
        var (dir, wav) = FolderWithWav("out-same");
        var before = File.ReadAllBytes(wav);

        var (code, _, stderr) = Embed(wav, wav);
        Assert.Equal(1, code);
        Says("also an input", stderr);
        Assert.Equal(before, File.ReadAllBytes(wav));

        // The same file by another name: a link with a harmless extension, and the folder holding it.
        var alias = Path.Combine(dir, "alias.csv");
        File.CreateSymbolicLink(alias, wav);
        (code, _, stderr) = Embed(dir, alias, "--force");
        Assert.Equal(1, code);
        Says("also an input", stderr);
        Assert.Equal(before, File.ReadAllBytes(wav));
    }

    [Fact]
    public void AnOutputWithAnAudioExtensionNeedsForce()
    {
        var (dir, wav) = FolderWithWav("out-ext");
        var output = Path.Combine(dir, "embeddings.wav");
        var (code, _, stderr) = Embed(wav, output);
        Assert.Equal(1, code);
        Says("audio extension", stderr);
        Assert.False(File.Exists(output));

        (code, _, stderr) = Embed(wav, output, "--force");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("path,e0,", File.ReadAllText(output));
    }

    [Fact]
    public void APlantedLinkAtTheOldTempNameIsNotFollowed()
    {
        var (dir, wav) = FolderWithWav("out-plant");
        var victim = Path.Combine(dir, "victim.txt");
        File.WriteAllText(victim, "precious");
        var output = Path.Combine(dir, "out.csv");
        // The name the old writer used (.<out>.<pid>.tmp, opened without O_EXCL), planted as a link to another file.
        File.CreateSymbolicLink(Path.Combine(dir, $".out.csv.{Environment.ProcessId}.tmp"), victim);

        var (code, _, stderr) = Embed(wav, output);

        Assert.True(code == 0, stderr);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.StartsWith("path,e0,", File.ReadAllText(output));
    }

    [Fact]
    public void AnUnwritableOutputFailsBeforeTheModelIsLoaded()
    {
        var (dir, wav) = FolderWithWav("out-early");
        var notAFolder = Path.Combine(dir, "file.txt");
        File.WriteAllText(notAFolder, "x");
        var missingModel = Path.Combine(dir, "missing.onnx");

        // The old command embedded everything first and found the output unwritable at the end (here it would first
        // have failed on the model).
        var (code, _, stderr) = RunCli("embed", wav, "-o", Path.Combine(notAFolder, "out.csv"), "--model", missingModel);

        Assert.Equal(1, code);
        Says("cannot write the output", stderr);
        Assert.DoesNotContain("model file not found", stderr);
    }

    [Fact]
    public void AnOutputNameOf254CharactersIsWritten()
    {
        var (dir, wav) = FolderWithWav("out-long");
        var output = Path.Combine(dir, new string('n', 250) + ".csv");

        var (code, _, stderr) = Embed(wav, output);

        Assert.True(code == 0, stderr);
        Assert.StartsWith("path,e0,", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
    }

    [Fact]
    public void DashMeansStandardOutput()
    {
        var (dir, wav) = FolderWithWav("out-dash");
        var stdout = new MemoryStream();
        var old = EmbedCommand.StandardOutput;
        EmbedCommand.StandardOutput = () => stdout;
        try
        {
            var (code, _, stderr) = Embed(wav, "-");
            Assert.True(code == 0, stderr);
            Says("standard output", stderr);
        }
        finally
        {
            EmbedCommand.StandardOutput = old;
            if (File.Exists("-")) File.Delete("-"); // what the old command wrote
        }
        var lines = System.Text.Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("path,e0,", lines[0]);
        Assert.StartsWith(wav + ",", lines[1]);
    }

    [Fact]
    public void AShardWithNoFilesWritesAHeaderOnlyFileAndSucceeds()
    {
        var (dir, _) = FolderWithWav("out-shard");
        var csv = Path.Combine(dir, "part1.csv");
        var (code, _, stderr) = Embed(dir, csv, "--shard", "1/2");
        Assert.True(code == 0, stderr);
        var lines = File.ReadAllLines(csv);
        Assert.Single(lines);
        Assert.Equal(1 + 1152, lines[0].Split(',').Length);

        var parquet = Path.Combine(dir, "part1.parquet");
        (code, _, stderr) = Embed(dir, parquet, "--shard", "1/2");
        Assert.True(code == 0, stderr);
        Assert.True(new FileInfo(parquet).Length > 0);
    }

    [Fact]
    public void PathsASpreadsheetWouldRunAreEscapedTheOwaspWay()
    {
        Assert.Equal("\"'=HYPERLINK(\"\"x\"\").wav\"", EmbedCommand.Quote("=HYPERLINK(\"x\").wav"));
        foreach (var p in new[] { "+1.wav", "-1.wav", "@SUM(A1).wav", "\tx.wav", "\rx.wav" })
            Assert.Equal("\"'" + p + "\"", EmbedCommand.Quote(p));
        Assert.Equal("a/=b.wav", EmbedCommand.Quote("a/=b.wav"));
        Assert.Equal("\"a,b.wav\"", EmbedCommand.Quote("a,b.wav"));
    }

    [Fact]
    public void ControlCharactersInNamesArePrintedEscaped()
    {
        var (dir, _) = FolderWithWav("out-ctl");
        var evil = Path.Combine(dir, "x\u001b[2J\nforged line.wav");
        File.WriteAllBytes(evil, [1, 2, 3]);

        var (code, _, stderr) = Embed(dir, Path.Combine(dir, "o.csv"));

        Assert.Equal(2, code);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.DoesNotContain("\nforged line", stderr);
        Says("x\\x1b[2J\\nforged line.wav", stderr);
    }

    [Fact]
    public void AFailedWriteLeavesNoTemporaryFile()
    {
        var dir = TestAssets.TempDir("out-fail");
        var target = Path.Combine(dir, "out.csv");
        File.WriteAllText(target, "old");
        using (var file = IO.AtomicFile.Create(target))
        {
            file.Stream.Write("new"u8);
            Assert.True(File.Exists(file.TempPath));
            Assert.Matches(@"^\.out\.csv\.[0-9a-f]{16}\.tmp$", Path.GetFileName(file.TempPath));
        }   // no commit: the work failed
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));

        // What the termination handler (SIGINT, SIGTERM) does with a pending write.
        var pending = IO.AtomicFile.Create(target);
        Assert.Equal(1, IO.AtomicFile.DeletePending(dir));
        Assert.False(File.Exists(pending.TempPath));
        Assert.Throws<CoalaException>(() => pending.Commit());
        Assert.Equal("old", File.ReadAllText(target));
    }

    [Fact]
    public void AKilledRunLeavesNoTemporaryFile()
    {
        var dir = TestAssets.TempDir("out-kill");
        // Long enough that the run is still embedding when it is stopped.
        var wav = TestAssets.WriteWav(Path.Combine(dir, "long.wav"), TestAssets.Signal(600, 22000, 3), 22000);
        var output = Path.Combine(dir, "out.csv");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "coala.dll"), "embed", wav, "-o", output, "--model", TestAssets.RandomModel(), "--threads", "1" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.GetFiles(dir, ".out.csv.*.tmp").Length == 0 && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(20);
        Assert.False(p.HasExited, "the run ended before it could be stopped");
        Thread.Sleep(300); // into the embedding
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        Assert.True(p.WaitForExit(30_000), "the run did not stop on SIGTERM");
        Assert.NotEqual(0, p.ExitCode);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
    }
}
