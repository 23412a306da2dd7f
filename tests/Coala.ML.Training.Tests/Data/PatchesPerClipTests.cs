using System.Globalization;
using Coala.ML.Training.Data;
using static Coala.ML.Training.Tests.Data.CorpusPreparerTests;

namespace Coala.ML.Training.Tests.Data;

/// <summary>
/// <c>coala prepare --patches-per-clip K</c>: every patch of a training clip becomes a row with the clip's tags,
/// validation keeps each clip's first patch, and duplicates and the split are judged on the first patch, so the
/// clips and their split are those of a one-patch corpus.
/// </summary>
public class PatchesPerClipTests
{
    /// <summary>A fake file "patches S N" gives N patches, FakePatch(10 S), FakePatch(10 S + 1), ...</summary>
    private static float[] Extract(string path, bool firstOnly = false)
    {
        var f = File.ReadAllText(path).Trim().Split(' ');
        int seed = int.Parse(f[1], CultureInfo.InvariantCulture), n = firstOnly ? 1 : int.Parse(f[2], CultureInfo.InvariantCulture);
        return Enumerable.Range(0, n).SelectMany(p => FakePatch(10 * seed + p)).ToArray();
    }

    /// <summary>30 clips of 1, 2 or 3 patches, a copy of f05 whose later patches differ, and optionally a clip of 4 patches.</summary>
    private static string MakeInput(TempDir dir, bool withFour = false)
    {
        var csv = new System.Text.StringBuilder("path,tags\n");
        for (int i = 0; i < 30; i++)
        {
            dir.File($"audio/f{i:00}.wav", $"patches {i} {1 + i % 3}");
            csv.Append(CultureInfo.InvariantCulture, $"audio/f{i:00}.wav,common {(i < 15 ? "dogs" : "cats")}{(i % 4 == 0 ? " rare" : "")}\n");
        }
        if (withFour)
        {
            dir.File("audio/four.wav", "patches 50 4");
            csv.Append("audio/four.wav,dogs\n");
        }
        dir.File("audio/longer-copy.wav", "patches 5 1"); // same first patch as f05 (which has 3)
        csv.Append("audio/longer-copy.wav,cats\n");
        return dir.File("tags.csv", csv.ToString());
    }

    private static PrepareOptions Options(TempDir dir, string csv, string name) => new()
    {
        CsvPath = csv,
        OutputDirectory = Path.Combine(dir.Path, name),
        MinCount = 3,
        Threads = 2,
        NearDuplicateThreshold = 0,
    };

    private static float[] Raw(PreparedCorpus corpus, int row)
    {
        var p = new float[corpus.Manifest.Bands * corpus.Manifest.Frames];
        corpus.ReadRawPatch(row, p);
        return p;
    }

    [Fact]
    public void TrainingClipsGiveEveryPatchValidationClipsTheirFirst()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir);
        var result = new CorpusPreparer(Small, p => Extract(p), "fake", maxPatchesPerClip: 3).Run(Options(dir, csv, "k3"));
        var m = result.Manifest;

        var copy = Assert.Single(result.Dropped, d => d.Path.EndsWith("longer-copy.wav", StringComparison.Ordinal));
        Assert.Equal(DropCategory.Duplicate, copy.Category);

        using var corpus = PreparedCorpus.Open(Path.Combine(dir.Path, "k3"));
        Assert.Equal(3, m.PatchesPerClip);
        int trainClips = Assert.IsType<int>(m.TrainClips);
        Assert.Equal(30, trainClips + m.Validation);
        Assert.Equal(m.Train, corpus.Train.Count);
        Assert.Equal(m.Validation, corpus.Validation.Count);

        // Training rows: each clip's patches in order, contiguous, all with the clip's tags.
        int expectedRows = corpus.Train.Paths.Distinct().Sum(p => 1 + int.Parse(Path.GetFileNameWithoutExtension(p)[1..], CultureInfo.InvariantCulture) % 3);
        Assert.Equal(expectedRows, m.Train);
        Assert.Equal(trainClips, corpus.Train.Paths.Distinct().Count());
        Assert.True(m.Train > trainClips);
        var labels = File.ReadAllLines(Path.Combine(dir.Path, "k3", CorpusFiles.Clips)).Skip(1).Select(l => l.Split('\t')).ToArray();
        for (int row = 0, p = 0; row < m.Train; row++)
        {
            p = row > 0 && corpus.Train.Paths[row - 1] == corpus.Train.Paths[row] ? p + 1 : 0;
            int seed = int.Parse(File.ReadAllText(corpus.Train.Paths[row]).Split(' ')[1], CultureInfo.InvariantCulture);
            Assert.Equal(FakePatch(10 * seed + p), Raw(corpus, row));
            Assert.Equal(labels[row - p][3], labels[row][3]);
        }
        for (int v = 0; v < m.Validation; v++)
        {
            int seed = int.Parse(File.ReadAllText(corpus.Validation.Paths[v]).Split(' ')[1], CultureInfo.InvariantCulture);
            Assert.Equal(FakePatch(10 * seed), Raw(corpus, m.Train + v));
        }
        Assert.Equal(corpus.Validation.Paths.Count, corpus.Validation.Paths.Distinct().Count());

        // The same clips, split the same way, as a one-patch corpus of the first patches.
        var one = new CorpusPreparer(Small, p => Extract(p, firstOnly: true), "fake").Run(Options(dir, csv, "k1")).Manifest;
        Assert.Null(one.TrainClips);
        Assert.Equal(1, one.PatchesPerClip);
        using var single = PreparedCorpus.Open(Path.Combine(dir.Path, "k1"));
        Assert.Equal(single.Train.Paths, corpus.Train.Paths.Distinct());
        Assert.Equal(single.Validation.Paths, corpus.Validation.Paths);
    }

    [Fact]
    public void TooManyPatchesAndBadCountsAreErrors()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir, withFour: true);
        var result = new CorpusPreparer(Small, p => Extract(p), "fake").Run(Options(dir, csv, "k1"));
        var two = Assert.Single(result.Dropped, d => d.Path.EndsWith("f01.wav", StringComparison.Ordinal));
        Assert.Contains("returned 96 values, expected 8x6", two.Reason);
        result = new CorpusPreparer(Small, p => Extract(p), "fake", maxPatchesPerClip: 3).Run(Options(dir, csv, "k3"));
        var four = Assert.Single(result.Dropped, d => d.Path.EndsWith("four.wav", StringComparison.Ordinal));
        Assert.Contains("returned 192 values, expected 1 to 3 patches of 8x6", four.Reason);
        Assert.DoesNotContain(result.Dropped, d => d.Path.EndsWith("f01.wav", StringComparison.Ordinal));

        var e = Assert.Throws<CoalaException>(() => new CorpusPreparer(Small, p => Extract(p), "fake", maxPatchesPerClip: 0));
        Assert.Contains("--patches-per-clip", e.Message);
        Assert.Throws<CoalaException>(() => AudioPatchSource.Create(Small, 0));
        Assert.NotEqual(AudioPatchSource.ExtractorIdFor(1), AudioPatchSource.ExtractorIdFor(3));
        Assert.Equal(AudioPatchSource.ExtractorId, AudioPatchSource.ExtractorIdFor(1));
    }
}
