using Coala.ML.Evaluation;
using Coala.ML.Training.Tests.Data;

namespace Coala.ML.Training.Tests.Evaluation;

public class DatasetLoaderTests
{
    private static void AssertDisjoint(EvaluationFold f) =>
        Assert.Empty(f.Train.Select(c => c.Path).Intersect(f.Test.Select(c => c.Path)));

    [Fact]
    public void KFoldIsStratifiedDisjointSeededAndCoversEveryClipOnce()
    {
        using var tmp = new TempDir();
        EvalData.ClassFolders(tmp.Path, ["a", "b", "c"], 10);
        var task = EvaluationDatasets.KFold("toy", tmp.Path, 5, seed: 3);
        Assert.Equal(["a", "b", "c"], task.Classes);
        Assert.Equal(5, task.Folds.Count);
        foreach (var f in task.Folds)
        {
            AssertDisjoint(f);
            Assert.Equal(24, f.Train.Count);
            Assert.Equal(6, f.Test.Count);
            Assert.All(task.Classes, c => Assert.Equal(2, f.Test.Count(x => x.Label == c)));
        }
        var tested = task.Folds.SelectMany(f => f.Test.Select(c => c.Path)).ToList();
        Assert.Equal(30, tested.Distinct().Count());
        Assert.Equal(30, tested.Count);
        // Seeded: same seed same folds, another seed other folds.
        var again = EvaluationDatasets.KFold("toy", tmp.Path, 5, seed: 3);
        Assert.Equal(task.Folds[0].Test, again.Folds[0].Test);
        var other = EvaluationDatasets.KFold("toy", tmp.Path, 5, seed: 4);
        Assert.NotEqual(task.Folds.Select(f => string.Join(",", f.Test.Select(c => c.Path))),
                        other.Folds.Select(f => string.Join(",", f.Test.Select(c => c.Path))));
    }

    [Fact]
    public void TrainTestFoldersUseOneTreeEach()
    {
        using var tmp = new TempDir();
        EvalData.ClassFolders(Path.Combine(tmp.Path, "fluidr3"), ["brass", "guitar"], 3);
        EvalData.ClassFolders(Path.Combine(tmp.Path, "timgm6mb"), ["brass", "guitar"], 2);
        var task = TaskSpec.Load($"instruments=folders:{tmp.Path}/fluidr3,{tmp.Path}/timgm6mb");
        Assert.Equal("instruments", task.Name);
        var f = Assert.Single(task.Folds);
        Assert.Equal(6, f.Train.Count);
        Assert.Equal(4, f.Test.Count);
        Assert.All(f.Train, c => Assert.Contains("fluidr3", c.Path));
        Assert.All(f.Test, c => Assert.Contains("timgm6mb", c.Path));
        Assert.Equal(["brass", "guitar"], task.Classes);
    }

    [Fact]
    public void FsddLookAlikeOfficialSplitForDigitAndSpeaker()
    {
        using var tmp = new TempDir();
        foreach (var who in new[] { "george", "jackson" })
            for (int d = 0; d < 3; d++)
                for (int i = 0; i < 8; i++) EvalData.Wav(Path.Combine(tmp.Path, $"{d}_{who}_{i}.wav"));
        File.WriteAllText(Path.Combine(tmp.Path, "README.txt"), "not audio");
        EvalData.Wav(Path.Combine(tmp.Path, "stray.wav"));

        var digit = TaskSpec.Load($"fsdd-digit:{tmp.Path}");
        var f = Assert.Single(digit.Folds);
        Assert.Equal(["0", "1", "2"], digit.Classes);
        Assert.Equal(2 * 3 * 5, f.Test.Count);   // index 0-4
        Assert.Equal(2 * 3 * 3, f.Train.Count);  // index 5-7
        Assert.All(f.Test, c => Assert.True(int.Parse(Path.GetFileNameWithoutExtension(c.Path).Split('_')[2]) <= 4));
        AssertDisjoint(f);
        Assert.Contains(digit.Notes, n => n.Contains("1 file(s)"));

        var speaker = TaskSpec.Load($"fsdd-speaker:{tmp.Path}");
        Assert.Equal(["george", "jackson"], speaker.Classes);
        Assert.Equal(f.Test.Select(c => c.Path), speaker.Folds[0].Test.Select(c => c.Path));
        Assert.All(speaker.Folds[0].Test, c => Assert.Contains($"_{c.Label}_", Path.GetFileName(c.Path)));
    }

    [Fact]
    public void FsddSharedRecordingsGive2700TrainAnd300Test()
    {
        var dir = EvalData.SharedFsdd();
        Assert.True(dir is not null, "shared/data/fsdd/recordings not found above the test binaries");
        var digit = EvaluationDatasets.Fsdd("d", dir!, FsddTarget.Digit);
        Assert.Equal(10, digit.Classes.Count);
        Assert.Equal(2700, digit.Folds[0].Train.Count);
        Assert.Equal(300, digit.Folds[0].Test.Count);
        var speaker = EvaluationDatasets.Fsdd("s", dir!, FsddTarget.Speaker);
        Assert.Equal(6, speaker.Classes.Count);
        Assert.All(speaker.Classes, s => Assert.Equal(50, speaker.Folds[0].Test.Count(c => c.Label == s)));
    }

    [Fact]
    public void UrbanSound8KLookAlikeTenGivenFolds()
    {
        using var tmp = new TempDir();
        var csv = new List<string> { "slice_file_name,fsID,start,end,salience,fold,classID,class" };
        for (int fold = 1; fold <= 10; fold++)
            foreach (var (cls, id) in new[] { ("dog_bark", 3), ("siren", 8) })
                for (int i = 0; i < 2; i++)
                {
                    string name = $"{100 + fold}-{id}-0-{i}.wav";
                    EvalData.Wav(Path.Combine(tmp.Path, "audio", $"fold{fold}", name));
                    csv.Add($"{name},{100 + fold},0.0,0.1,1,{fold},{id},{cls}");
                }
        tmp.File("metadata/UrbanSound8K.csv", string.Join("\n", csv) + "\n");
        var task = TaskSpec.Load($"us8k:{tmp.Path}");
        Assert.Equal("US8K", task.Name);
        Assert.Equal(10, task.Folds.Count);
        Assert.Equal(["dog_bark", "siren"], task.Classes);
        for (int k = 0; k < 10; k++)
        {
            var f = task.Folds[k];
            AssertDisjoint(f);
            Assert.Equal(4, f.Test.Count);
            Assert.Equal(36, f.Train.Count);
            Assert.All(f.Test, c => Assert.Contains($"fold{k + 1}", c.Path));
            Assert.All(f.Test, c => Assert.True(File.Exists(c.Path)));
        }
    }

    [Fact]
    public void GtzanLookAlikeFilteredListsOrKFold()
    {
        using var tmp = new TempDir();
        foreach (var g in new[] { "blues", "rock" })
            for (int i = 0; i < 6; i++) EvalData.Wav(Path.Combine(tmp.Path, "genres", g, $"{g}.{i:00000}.wav"));

        var kfold = TaskSpec.Load($"gtzan:{tmp.Path}", folds: 3);
        Assert.Equal(3, kfold.Folds.Count);
        Assert.All(kfold.Folds, AssertDisjoint);

        // The filtered lists name .au files; they are matched by genre and stem.
        tmp.File("train_filtered.txt", "blues/blues.00000.au\nblues/blues.00001.au\nrock/rock.00000.au\nrock/rock.00001.au\n");
        tmp.File("valid_filtered.txt", "blues/blues.00002.au\nrock/rock.00002.au\n");
        tmp.File("test_filtered.txt", "blues/blues.00003.au\nrock/rock.00003.au\nrock/rock.00099.au\n");
        var task = TaskSpec.Load($"gtzan:{tmp.Path}");
        var f = Assert.Single(task.Folds);
        Assert.Equal(6, f.Train.Count);
        Assert.Equal(2, f.Test.Count);
        AssertDisjoint(f);
        Assert.Contains(task.Notes, n => n.Contains("1 listed file(s) not found"));
        Assert.Equal(Path.Combine(tmp.Path, "genres", "rock", "rock.00003.wav"), f.Test.Single(c => c.Label == "rock").Path);
    }

    [Fact]
    public void NSynthLookAlikeBalancedTrainSubsetAndFullTestSet()
    {
        using var tmp = new TempDir();
        string Json(IEnumerable<(string note, string family)> notes) =>
            "{" + string.Join(",", notes.Select(n => $"\"{n.note}\": {{\"note_str\": \"{n.note}\", \"instrument_family_str\": \"{n.family}\", \"pitch\": 60}}")) + "}";
        var train = Enumerable.Range(0, 10).Select(i => ($"bass_synthetic_{i:000}-060-100", "bass"))
            .Concat(Enumerable.Range(0, 4).Select(i => ($"flute_acoustic_{i:000}-060-100", "flute"))).ToList();
        var test = new[] { ("bass_synthetic_900-060-100", "bass"), ("flute_acoustic_900-060-100", "flute"), ("organ_electronic_900-060-100", "organ") };
        tmp.File("nsynth-train/examples.json", Json(train));
        tmp.File("nsynth-test/examples.json", Json(test));
        var task = TaskSpec.Load($"nsynth:{tmp.Path}", maxPerClass: 3, seed: 1);
        var f = Assert.Single(task.Folds);
        Assert.Equal(3, f.Train.Count(c => c.Label == "bass"));
        Assert.Equal(3, f.Train.Count(c => c.Label == "flute"));
        Assert.Equal(2, f.Test.Count); // organ was never trained on: dropped and noted
        Assert.Contains(task.Notes, n => n.Contains("absent from training"));
        Assert.All(f.Train, c => Assert.EndsWith(".wav", c.Path));
        Assert.Contains(Path.Combine("nsynth-train", "audio"), f.Train[0].Path);
    }

    [Fact]
    public void MaxPerClassCapsTrainingOnly()
    {
        using var tmp = new TempDir();
        EvalData.ClassFolders(Path.Combine(tmp.Path, "tr"), ["a", "b"], 6);
        EvalData.ClassFolders(Path.Combine(tmp.Path, "te"), ["a", "b"], 5);
        var task = TaskSpec.Load($"folders:{tmp.Path}/tr,{tmp.Path}/te", maxPerClass: 2);
        Assert.Equal(4, task.Folds[0].Train.Count);
        Assert.Equal(10, task.Folds[0].Test.Count);
    }

    [Fact]
    public void BadInputGivesCoalaExceptionsNamingTheProblem()
    {
        using var tmp = new TempDir();
        string missing = Path.Combine(tmp.Path, "nope");
        var e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"kfold:{missing}"));
        Assert.Contains("not found", e.Message);
        Assert.Equal(missing, e.FilePath);

        EvalData.ClassFolders(Path.Combine(tmp.Path, "ds"), ["a"], 3);
        Directory.CreateDirectory(Path.Combine(tmp.Path, "ds", "empty"));
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"kfold:{tmp.Path}/ds"));
        Assert.Contains("holds no audio files", e.Message);
        Assert.EndsWith("empty", e.FilePath);

        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"mnist:{tmp.Path}"));
        Assert.Contains("unknown kind 'mnist'", e.Message);
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load(tmp.Path.TrimStart('/')));
        Assert.Contains("KIND:ARGS", e.Message);
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"folders:{tmp.Path}"));
        Assert.Contains("TRAIN_DIR,TEST_DIR", e.Message);
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load("us8k:"));
        Assert.Contains("no folder", e.Message);

        Directory.CreateDirectory(Path.Combine(tmp.Path, "us", "audio"));
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"us8k:{tmp.Path}/us"));
        Assert.Contains("metadata not found", e.Message);
        tmp.File("us/metadata/UrbanSound8K.csv", "slice_file_name,fold\nx.wav,1\n");
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"us8k:{tmp.Path}/us"));
        Assert.Contains("lacks the column 'class'", e.Message);

        tmp.File("ns/nsynth-train/examples.json", "{ not json");
        tmp.File("ns/nsynth-test/examples.json", "{}");
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"nsynth:{tmp.Path}/ns"));
        Assert.Contains("not valid JSON", e.Message);

        // Training with a single class cannot be evaluated.
        EvalData.ClassFolders(Path.Combine(tmp.Path, "one"), ["a"], 2);
        e = Assert.Throws<CoalaException>(() => TaskSpec.Load($"folders:{tmp.Path}/one,{tmp.Path}/one"));
        Assert.Contains("only one class", e.Message);
    }
}
