using System.Globalization;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Cli;

[Collection("Console")] // the CLI writes to the process-wide console
public class EmbedCommandTests
{
    private static (int code, string stderr) RunCli(params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        return (code, stderr);
    }

    [Fact]
    public void EmbedsAFolderSkipsBadFilesAndReportsThem()
    {
        var dir = TestAssets.TempDir("cli");
        var audio = Directory.CreateDirectory(Path.Combine(dir, "audio")).FullName;
        var sub = Directory.CreateDirectory(Path.Combine(audio, "sub")).FullName;
        TestAssets.WriteWav(Path.Combine(audio, "a.wav"), TestAssets.Signal(2.5, 22000, 1), 22000);
        TestAssets.WriteWav(Path.Combine(audio, "b,comma.wav"), TestAssets.Signal(1.0, 16000, 2), 16000);
        TestAssets.WriteWav(Path.Combine(sub, "c.wav"), TestAssets.Signal(3.0, 44100, 3), 44100);
        File.WriteAllBytes(Path.Combine(audio, "broken.wav"), [1, 2, 3, 4, 5]);
        File.WriteAllText(Path.Combine(audio, "notes.txt"), "not audio, not listed");
        var csv = Path.Combine(dir, "out", "emb.csv");

        var (code, stderr) = RunCli("embed", audio, "--recursive", "--output", csv, "--model", TestAssets.RandomModel());

        Assert.Equal(2, code); // some files failed, others were written
        Assert.Contains("broken.wav", stderr);
        Assert.Contains("1 input(s) failed", stderr);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(1 + 3, lines.Length);
        Assert.StartsWith("path,e0,e1,", lines[0]);
        Assert.Equal(1 + 1152, lines[0].Split(',').Length);
        Assert.StartsWith("\"" + Path.Combine(audio, "b,comma.wav") + "\",", lines[2]);
        var values = lines[1].Split(',').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(1152, values.Length);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));

        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel() });
        Assert.Equal(embedder.EmbedFile(Path.Combine(audio, "a.wav")), values);
    }

    [Fact]
    public void GpuSaysWhichExecutionProviderRan()
    {
        var dir = TestAssets.TempDir("cli-gpu");
        var wav = Path.Combine(dir, "a.wav");
        TestAssets.WriteWav(wav, TestAssets.Signal(1.0, 22000, 1), 22000);
        var (code, stderr) = RunCli("embed", wav, "--output", Path.Combine(dir, "o.csv"), "--model", TestAssets.RandomModel(), "--gpu", "0");
        Assert.Equal(0, code);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel(), GpuDeviceId = 0 });
        // Whatever this machine has, the line names the provider the embedder really used (CPU after a fallback).
        Assert.Contains($"coala embed: execution provider {embedder.ExecutionProvider}", stderr);
        if (!File.Exists("/proc/driver/nvidia/version"))
        {
            Assert.Equal("CPU", embedder.ExecutionProvider);
            Assert.Contains("CUDA device 0 unavailable", stderr);
        }
        // No --gpu, no line.
        (code, stderr) = RunCli("embed", wav, "--output", Path.Combine(dir, "p.csv"), "--model", TestAssets.RandomModel());
        Assert.Equal(0, code);
        Assert.DoesNotContain("execution provider", stderr);
    }

    [Fact]
    public void EmbedderOptionsRejectNegativeThreadsAndDevicesAsCallerBugs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel(), IntraOpNumThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel(), GpuDeviceId = -2 }));
        using var cpu = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel(), IntraOpNumThreads = 1 });
        Assert.Equal("CPU", cpu.ExecutionProvider);
        Assert.Null(cpu.GpuFallbackReason);
    }

    [Fact]
    public void AFolderWithNoAudioOrAMissingModelFailsClearly()
    {
        var dir = TestAssets.TempDir("cli-empty");
        File.WriteAllText(Path.Combine(dir, "readme.txt"), "x");
        var (code, stderr) = RunCli("embed", dir, "--output", Path.Combine(dir, "o.csv"), "--model", TestAssets.RandomModel());
        Assert.Equal(1, code);
        Assert.Contains("holds no audio files", stderr);
        Assert.False(File.Exists(Path.Combine(dir, "o.csv")));

        var wav = TestAssets.WriteWav(Path.Combine(dir, "a.wav"), TestAssets.Signal(1, 22000), 22000);
        var missing = Path.Combine(dir, "missing.onnx");
        (code, stderr) = RunCli("embed", wav, "--output", Path.Combine(dir, "o.csv"), "--model", missing);
        Assert.Equal(1, code);
        Assert.Contains(missing, stderr);
    }

    [Fact]
    public void ShardsAreDisjointCoverTheInputAndConcatenateToTheWholeRun()
    {
        var dir = TestAssets.TempDir("cli-shard");
        for (int i = 0; i < 5; i++)
            TestAssets.WriteWav(Path.Combine(dir, $"clip{i}.wav"), TestAssets.Signal(1.0 + 0.3 * i, 22000, i), 22000);
        var model = TestAssets.RandomModel();
        var whole = Path.Combine(dir, "all.csv");
        Assert.Equal(0, RunCli("embed", dir, "--output", whole, "--model", model).code);
        var rows = new List<string>();
        for (int s = 0; s < 3; s++)
        {
            var part = Path.Combine(dir, $"part{s}.csv");
            Assert.Equal(0, RunCli("embed", dir, "--output", part, "--model", model, "--shard", $"{s}/3").code);
            rows.AddRange(File.ReadAllLines(part).Skip(1));
        }
        Assert.Equal(File.ReadAllLines(whole).Skip(1).Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));

        var (code, stderr) = RunCli("embed", dir, "--output", Path.Combine(dir, "x.csv"), "--model", model, "--shard", "3/3");
        Assert.Equal(1, code);
        Assert.Contains("expected i/N", stderr);
    }
}
