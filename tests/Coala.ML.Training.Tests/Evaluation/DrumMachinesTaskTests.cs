using System.Diagnostics;
using Coala.ML.Evaluation;
using Coala.ML.Training.Tests.Data;

namespace Coala.ML.Training.Tests.Evaluation;

/// <summary>The drum-type task: scripts/eval-data/drum-machines.sh's layout and <c>--task drums:DIR</c>.</summary>
public class DrumMachinesTaskTests
{
    // Two of the script's fixed test machines and two training machines, as in tidal-drum-machines.
    private static readonly string[] TestMachines = ["AlesisHR16", "KorgT3"];
    private static readonly string[] TrainMachines = ["RolandTR808", "YamahaRM50"];

    /// <summary>The repository root (holding scripts/eval-data) above the test binaries.</summary>
    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "scripts", "eval-data", "drum_machines.py"))) return d.FullName;
        throw new InvalidOperationException("scripts/eval-data/drum_machines.py not found above " + AppContext.BaseDirectory);
    }

    private static string? Python() =>
        new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);

    /// <summary>A tidal-drum-machines look-alike: machines/&lt;M&gt;/&lt;m&gt;-&lt;type&gt;/*.wav, synthetic hits.</summary>
    private static void FakeMachines(string dir)
    {
        int seed = 0;
        foreach (var m in TestMachines.Concat(TrainMachines))
        {
            string lower = m.ToLowerInvariant();
            for (int i = 0; i < 3; i++)
            {
                double detune = 1 + 0.05 * (seed % 7);
                EvalData.Wav(Path.Combine(dir, m, $"{lower}-bd", $"Kick-{i}.wav"), EvalData.Tone(60 * detune, 0.3, amp: 0.5));
                EvalData.Wav(Path.Combine(dir, m, $"{lower}-sd", $"Snare {i}.WAV"), EvalData.Noise(seed, 0.2));
                EvalData.Wav(Path.Combine(dir, m, $"{lower}-lt", $"Tom-{i}.wav"), EvalData.Tone(120 * detune, 0.3));
                EvalData.Wav(Path.Combine(dir, m, $"{lower}-ht", $"Tom-{i}.wav"), EvalData.Tone(200 * detune, 0.3));
                EvalData.Wav(Path.Combine(dir, m, $"{lower}-perc", $"Conga-{i}.wav"), EvalData.Tone(300, 0.2));
                seed++;
            }
        }
        // Not audio: skipped and listed, not copied.
        File.WriteAllText(Path.Combine(dir, "YamahaRM50", "yamaharm50-bd", "readme.wav"), "not a wav");
    }

    [Fact]
    public void ScriptSplitsByMachineAndEvaluateReadsTheLayout()
    {
        string? python = Python();
        if (python is null) return; // the script needs python3 (as render-instruments.sh); nothing to test without it
        using var tmp = new TempDir();
        string machines = Path.Combine(tmp.Path, "machines"), outDir = Path.Combine(tmp.Path, "drums");
        FakeMachines(machines);
        var psi = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(RepoRoot(), "scripts", "eval-data", "drum_machines.py"), machines, outDir, "--min-machines", "2" })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }

        // machines.tsv: the fixed test machines test, the rest train; each machine's clips in one split only.
        var rows = File.ReadAllLines(Path.Combine(outDir, "machines.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(TestMachines.Concat(TrainMachines).Order(StringComparer.Ordinal), rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(TestMachines.Contains(r[0]) ? "test" : "train", r[1]));
        Assert.All(rows, r => Assert.Equal("12", r[2])); // 3 kicks, 3 snares, 3 low + 3 high toms; no perc, no readme
        var holdout = File.ReadAllLines(Path.Combine(outDir, "holdout.txt"));
        Assert.All(rows, r => Assert.Contains($"tidal-drum-machines/machines/{r[0]}", holdout));
        Assert.Contains("Dirt-Samples/808bd", holdout);
        var skipped = File.ReadAllText(Path.Combine(outDir, "skipped.tsv"));
        Assert.Contains("readme.wav", skipped);
        Assert.Contains("conga-0.wav", skipped, StringComparison.OrdinalIgnoreCase);

        var task = TaskSpec.Load($"drums:{outDir}");
        Assert.Equal("drum type", task.Name);
        Assert.Equal(["kick", "snare", "tom"], task.Classes);
        var fold = Assert.Single(task.Folds);
        string MachineOf(LabelledClip c) => Path.GetFileName(Path.GetDirectoryName(c.Path)!);
        var trainMachines = fold.Train.Select(MachineOf).ToHashSet();
        var testMachines = fold.Test.Select(MachineOf).ToHashSet();
        Assert.Equal(TrainMachines.ToHashSet(), trainMachines);
        Assert.Equal(TestMachines.ToHashSet(), testMachines);
        Assert.Empty(trainMachines.Intersect(testMachines));
        Assert.Equal(2 * 12, fold.Train.Count); // per machine: 3 kicks, 3 snares, 6 toms (low and high, same class)
        Assert.Equal(2 * 12, fold.Test.Count);
        Assert.Equal(6 * 2, fold.Test.Count(c => c.Label == "tom"));
        Assert.Contains(task.Notes, n => n.Contains("2 training, 2 test machines"));

        // evaluate runs on it.
        using var mfcc = new MfccFeatures();
        var options = new EvaluationOptions
        {
            Repeats = 1, Threads = 2, MlNet = false, Plots = false, OutputDirectory = Path.Combine(tmp.Path, "eval"),
            Mlp = new MlpOptions { MaxEpochs = 10, Patience = 0 },
        };
        var report = new Evaluator(options, new StringWriter()).Run([task], [mfcc]);
        var summary = Assert.Single(report.Tasks);
        Assert.Equal(48, summary.ClipsUsed);
        Assert.Empty(summary.Skipped);
        Assert.InRange(report.Cell("MFCC", "drum type").Mean, 0, 1);
    }

    [Fact]
    public void DrumsTaskRejectsAMachineInBothSplitsAndFilesOutsideMachineFolders()
    {
        using var tmp = new TempDir();
        foreach (var (split, machine) in new[] { ("train", "A"), ("train", "B"), ("test", "C") })
            foreach (var cls in new[] { "kick", "snare" })
                EvalData.Wav(Path.Combine(tmp.Path, split, cls, machine, "x.wav"));
        var ok = TaskSpec.Load($"drums:{tmp.Path}");
        Assert.Equal(4, ok.Folds[0].Train.Count);

        EvalData.Wav(Path.Combine(tmp.Path, "test", "kick", "B", "y.wav"));
        var e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"drums:{tmp.Path}"));
        Assert.Contains("both train and test: B", e.Message);

        File.Delete(Path.Combine(tmp.Path, "test", "kick", "B", "y.wav"));
        EvalData.Wav(Path.Combine(tmp.Path, "test", "kick", "loose.wav"));
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"drums:{tmp.Path}"));
        Assert.Contains("machine folder", e.Message);

        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"drums:{Path.Combine(tmp.Path, "test")}"));
        Assert.Contains("training folder", e.Message);
    }
}
