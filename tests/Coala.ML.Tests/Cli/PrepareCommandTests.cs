using System.Text.Json;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Cli;

[Collection("Console")] // the CLI writes to the process-wide console
public class PrepareCommandTests
{
    /// <summary>Six 8 s clips (room for two windows wherever the first lies) and six 1 s clips (one), in two tagged folders.</summary>
    private static string Library()
    {
        string dir = TestAssets.TempDir("prepare-lib");
        Directory.CreateDirectory(Path.Combine(dir, "long", "drone"));
        Directory.CreateDirectory(Path.Combine(dir, "short", "blip"));
        for (int i = 0; i < 6; i++)
        {
            TestAssets.WriteWav(Path.Combine(dir, "long", "drone", $"d{i}.wav"), TestAssets.Signal(8, 22000, i, 120 + 90 * i), 22000);
            TestAssets.WriteWav(Path.Combine(dir, "short", "blip", $"b{i}.wav"), TestAssets.Signal(1, 22000, 10 + i, 900 + 150 * i), 22000);
        }
        return dir;
    }

    [Fact]
    public void PatchesPerClipAddsTheLongClipsFurtherWindowsToTraining()
    {
        string lib = Library(), outDir = Path.Combine(TestAssets.TempDir("prepare-out"), "k2");
        var (code, stdout, stderr) = CliRunner.Run("prepare", "--folder", lib, "--out", outDir, "--patches-per-clip", "2",
            "--min-count", "2", "--near-duplicate-threshold", "0", "--threads", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("clips kept: 12", stdout);
        Assert.Contains("(up to 2 a clip)", stdout);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        var m = manifest.RootElement;
        int trainClips = m.GetProperty("train_clips").GetInt32(), train = m.GetProperty("train").GetInt32();
        var rows = File.ReadAllLines(Path.Combine(outDir, "clips.tsv")).Skip(1).Select(l => l.Split('\t')).Where(f => f[1] == "train").ToList();
        Assert.Equal(train, rows.Count);
        // Every long training clip gives two rows, every short one a single row.
        foreach (var g in rows.GroupBy(f => f[2]))
            Assert.Equal(g.Key.Contains("/long/", StringComparison.Ordinal) ? 2 : 1, g.Count());
        Assert.Equal(trainClips, rows.Select(f => f[2]).Distinct().Count());
        Assert.Equal(2, m.GetProperty("patches_per_clip").GetInt32());
    }

    [Fact]
    public void PatchesPerClipBelowOneIsAClearError()
    {
        var (code, _, stderr) = CliRunner.Run("prepare", "--folder", Library(), "--out", TestAssets.TempDir("prepare-bad"), "--patches-per-clip", "0");
        Assert.Equal(1, code);
        Assert.Contains("coala prepare: --patches-per-clip must be at least 1 (got 0)", stderr);
    }
}
