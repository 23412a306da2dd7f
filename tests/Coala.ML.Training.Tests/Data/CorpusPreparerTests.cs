using System.Globalization;
using System.Text.Json;
using Coala.ML.Features;
using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

/// <summary>
/// The preparation pipeline with a synthetic extractor: each "audio" file holds a line of text saying what the
/// extractor should do (patch N, silent, broken, crash), so the test controls every outcome and counts calls.
/// </summary>
public class CorpusPreparerTests
{
    internal static readonly FrontendSettings Small = new() { MelBands = 8, PatchFrames = 6 };

    internal static float[] FakePatch(int seed, int bands = 8, int frames = 6)
    {
        var p = new float[bands * frames];
        for (int b = 0; b < bands; b++)
            for (int t = 0; t < frames; t++)
                p[b * frames + t] = -10 + b + (float)Math.Sin(seed * 7.1 + b * 1.3 + t * 0.7) * (1 + seed % 5);
        return p;
    }

    internal sealed class FakeExtractor
    {
        public int Calls;
        public Action? OnCall;

        public float[] Extract(string path)
        {
            Interlocked.Increment(ref Calls);
            OnCall?.Invoke();
            string what = File.ReadAllText(path).Trim();
            return what switch
            {
                "silent" => throw new CoalaException("silent (all samples are zero)", path),
                "short" => throw new CoalaException("too short: 0.01 s", path),
                "broken" => throw new CoalaException("not a WAV file (no RIFF header)", path),
                "crash" => throw new InvalidOperationException("decoder bug"),
                "wrong-size" => new float[3],
                _ => FakePatch(int.Parse(what.Split(' ')[1], CultureInfo.InvariantCulture)),
            };
        }
    }

    /// <summary>41 good clips, one of each failure, a duplicate, a missing file and a junk CSV line.</summary>
    internal static string MakeInput(TempDir dir)
    {
        var csv = new System.Text.StringBuilder("path,tags\n");
        for (int i = 0; i < 40; i++)
        {
            dir.File($"audio/f{i:00}.wav", $"patch {i}");
            var tags = new List<string> { "common", i < 20 ? "dogs" : "cats" };
            if (i < 3 || i is 20 or 21 or 22) tags.Add("rare");
            if (i == 5) tags.Add("unique");
            csv.Append(CultureInfo.InvariantCulture, $"audio/f{i:00}.wav,{string.Join(' ', tags)}\n");
        }
        dir.File("audio/lonely.wav", "patch 99");
        csv.Append("audio/lonely.wav,lonely common\n");
        foreach (var bad in new[] { "silent", "short", "broken", "crash", "wrong-size" })
        {
            dir.File($"audio/{bad}.wav", bad);
            csv.Append(CultureInfo.InvariantCulture, $"audio/{bad}.wav,dogs\n");
        }
        dir.File("audio/copy.wav", "patch 0");
        csv.Append("audio/copy.wav,cats\n");
        csv.Append("audio/missing.wav,dogs\n");
        csv.Append("junk line without comma\n");
        csv.Append("audio/none.wav,the 808\n");
        return dir.File("tags.csv", csv.ToString());
    }

    private static PrepareOptions Options(TempDir dir, string csv, int seed = 0) => new()
    {
        CsvPath = csv,
        OutputDirectory = Path.Combine(dir.Path, "out"),
        MinCount = 3,
        Seed = seed,
        Threads = 3,
        NearDuplicateThreshold = 0, // these fake patches share a ramp; near-duplicates are tested in NearDuplicatesTests
    };

    [Fact]
    public void PreparesCorpusWithEveryDropReason()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir);
        var fake = new FakeExtractor();
        var result = new CorpusPreparer(Small, fake.Extract, "fake").Run(Options(dir, csv));
        var m = result.Manifest;

        Assert.False(result.UpToDate);
        Assert.Equal(40, m.Clips);
        Assert.Equal(36, m.Train);
        Assert.Equal(4, m.Validation);
        Assert.Equal(["cat", "dog", "rare"], File.ReadAllLines(Path.Combine(dir.Path, "out", CorpusFiles.Vocabulary)));
        Assert.Equal(3, m.VocabularySize);
        Assert.Equal(new Dictionary<string, int>
        {
            [DropCategory.BadCsvLine] = 1,
            [DropCategory.Duplicate] = 1,
            [DropCategory.Missing] = 1,
            [DropCategory.NoTags] = 1,
            [DropCategory.NoVocabularyTag] = 1,
            [DropCategory.Silent] = 1,
            [DropCategory.TooShort] = 1,
            [DropCategory.Unreadable] = 3, // broken, crash, wrong-size
        }, m.DroppedByCategory);
        string audio = Path.Combine(dir.Path, "audio");
        var byPath = result.Dropped.ToDictionary(d => d.Path);
        Assert.Contains("same audio as " + Path.Combine(audio, "f00.wav"), byPath[Path.Combine(audio, "copy.wav")].Reason);
        Assert.Contains("InvalidOperationException", byPath[Path.Combine(audio, "crash.wav")].Reason);
        Assert.Contains("expected 8x6", byPath[Path.Combine(audio, "wrong-size.wav")].Reason);
        Assert.StartsWith(Path.Combine(audio, "broken.wav") + ": not a WAV file", byPath[Path.Combine(audio, "broken.wav")].Reason);
        Assert.Contains("lonely", byPath[Path.Combine(audio, "lonely.wav")].Reason);
        Assert.Equal(result.Dropped.Count, File.ReadAllLines(Path.Combine(dir.Path, "out", CorpusFiles.Dropped)).Length - 1);

        // Rare is on 6 clips: stratification puts some in validation, some in training.
        var clips = File.ReadAllLines(Path.Combine(dir.Path, "out", CorpusFiles.Clips)).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(40, clips.Count);
        Assert.Equal(36, clips.Count(c => c[1] == "train"));
        int rareVal = clips.Count(c => c[1] == "validation" && c[3].Split(' ').Contains("rare"));
        Assert.Equal(1, rareVal);
        Assert.Equal([("dog", 20), ("cat", 20), ("rare", 6)], result.TagCounts.Select(t => (t.Tag, t.Clips)).OrderByDescending(t => t.Item2).ThenBy(t => t.Tag == "dog" ? 0 : 1));

        // Manifest content.
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", CorpusFiles.Manifest))).RootElement;
        Assert.Equal(1, json.GetProperty("format_version").GetInt32());
        Assert.Equal("8", json.GetProperty("frontend").GetProperty(FrontendSettings.KeyMelBands).GetString());
        Assert.Equal(3, json.GetProperty("min_count").GetInt32());
        Assert.Equal(64, json.GetProperty("input_hash").GetString()!.Length);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", CorpusFiles.Patches + ".tmp")));
    }

    [Fact]
    public void AHugeTagIsCutInTheDroppedList()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir);
        dir.File("audio/huge.wav", "patch 77");
        File.AppendAllText(csv, $"audio/huge.wav,{new string('z', 100_000)}\n");

        new CorpusPreparer(Small, new FakeExtractor().Extract, "fake").Run(Options(dir, csv));

        var line = File.ReadAllLines(Path.Combine(dir.Path, "out", CorpusFiles.Dropped)).Single(l => l.Contains("huge.wav"));
        Assert.True(line.Length < 1000, $"dropped.tsv line of {line.Length} characters");
        Assert.Contains("(100,000 characters)", line);
    }

    [Fact]
    public void RerunWithSameInputIsNoOpAndOtherOptionsReuseTheCache()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir);
        var fake = new FakeExtractor();
        var preparer = new CorpusPreparer(Small, fake.Extract, "fake");
        preparer.Run(Options(dir, csv));
        int firstCalls = fake.Calls;
        Assert.Equal(47, firstCalls); // every existing, tagged file once
        string patches = Path.Combine(dir.Path, "out", CorpusFiles.Patches);
        var written = File.GetLastWriteTimeUtc(patches);

        var again = preparer.Run(Options(dir, csv));
        Assert.True(again.UpToDate);
        Assert.Equal(40, again.Manifest.Clips);
        Assert.Equal(10, again.Dropped.Count);
        Assert.Equal(firstCalls, fake.Calls);
        Assert.Equal(written, File.GetLastWriteTimeUtc(patches));

        var otherSeed = preparer.Run(Options(dir, csv, seed: 1));
        Assert.False(otherSeed.UpToDate);
        Assert.Equal(47, otherSeed.FromCache);
        Assert.Equal(firstCalls, fake.Calls);

        // A changed file is decoded again (size/time no longer match the cache).
        File.WriteAllText(Path.Combine(dir.Path, "audio", "f07.wav"), "patch 1007");
        File.SetLastWriteTimeUtc(Path.Combine(dir.Path, "audio", "f07.wav"), DateTime.UtcNow.AddMinutes(1));
        var changed = preparer.Run(Options(dir, csv, seed: 1));
        Assert.False(changed.UpToDate);
        Assert.Equal(firstCalls + 1, fake.Calls);
    }

    [Fact]
    public void ResumesFromTheCacheAfterLosingTheFinalFilesOrAnInterruption()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir);
        string outDir = Path.Combine(dir.Path, "out");

        // Interrupted after 10 files.
        var cts = new CancellationTokenSource();
        var first = new FakeExtractor();
        first.OnCall = () => { if (first.Calls == 10) cts.Cancel(); };
        Assert.ThrowsAny<OperationCanceledException>(() => new CorpusPreparer(Small, first.Extract, "fake").Run(Options(dir, csv) with { Threads = 1 }, cancel: cts.Token));
        Assert.False(File.Exists(Path.Combine(outDir, CorpusFiles.Manifest)));

        var second = new FakeExtractor();
        var resumed = new CorpusPreparer(Small, second.Extract, "fake").Run(Options(dir, csv));
        Assert.Equal(10, resumed.FromCache);
        Assert.Equal(37, second.Calls);
        var bytes = File.ReadAllBytes(Path.Combine(outDir, CorpusFiles.Patches));

        // Final files lost, cache kept: nothing is decoded again and the result is identical.
        foreach (var f in new[] { CorpusFiles.Patches, CorpusFiles.Labels, CorpusFiles.Manifest, CorpusFiles.Clips })
            File.Delete(Path.Combine(outDir, f));
        var third = new FakeExtractor();
        var rebuilt = new CorpusPreparer(Small, third.Extract, "fake").Run(Options(dir, csv));
        Assert.False(rebuilt.UpToDate);
        Assert.Equal(0, third.Calls);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(outDir, CorpusFiles.Patches)));

        // A truncated patches file is not "up to date".
        using (var fs = new FileStream(Path.Combine(outDir, CorpusFiles.Patches), FileMode.Open)) fs.SetLength(100);
        var repaired = new CorpusPreparer(Small, third.Extract, "fake").Run(Options(dir, csv));
        Assert.False(repaired.UpToDate);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(outDir, CorpusFiles.Patches)));
    }

    [Fact]
    public void OutputIsDeterministicAcrossThreadCounts()
    {
        using var dir = new TempDir();
        string csv = MakeInput(dir);
        var a = new CorpusPreparer(Small, new FakeExtractor().Extract, "fake").Run(Options(dir, csv) with { Threads = 1, OutputDirectory = Path.Combine(dir.Path, "a") });
        var b = new CorpusPreparer(Small, new FakeExtractor().Extract, "fake").Run(Options(dir, csv) with { Threads = 4, OutputDirectory = Path.Combine(dir.Path, "b") });
        foreach (var f in new[] { CorpusFiles.Patches, CorpusFiles.Labels, CorpusFiles.Clips, CorpusFiles.Dropped, CorpusFiles.Scaler, CorpusFiles.Vocabulary })
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "a", f)), File.ReadAllBytes(Path.Combine(dir.Path, "b", f)));
        Assert.Equal(a.Manifest.InputHash, b.Manifest.InputHash);
    }

    [Fact]
    public void NothingLeftIsCoalaException()
    {
        using var dir = new TempDir();
        dir.File("a/animals/dog.wav", "broken");
        var e = Assert.Throws<CoalaException>(() => new CorpusPreparer(Small, new FakeExtractor().Extract, "fake")
            .Run(new PrepareOptions { Folder = Path.Combine(dir.Path, "a"), OutputDirectory = Path.Combine(dir.Path, "out"), MinCount = 1 }));
        Assert.Contains("no clip left", e.Message);
        Assert.Contains("1 unreadable", e.Message);
        Assert.Contains("not a WAV file", File.ReadAllText(Path.Combine(dir.Path, "out", CorpusFiles.Dropped)));
    }

    [Fact]
    public void InvalidOptionsAreCoalaExceptions()
    {
        using var dir = new TempDir();
        var p = new CorpusPreparer(Small, new FakeExtractor().Extract, "fake");
        var o = new PrepareOptions { Folder = dir.Path, OutputDirectory = Path.Combine(dir.Path, "out") };
        Assert.Throws<CoalaException>(() => p.Run(o with { Threads = 0 }));
        Assert.Throws<CoalaException>(() => p.Run(o with { MinCount = 0 }));
        Assert.Throws<CoalaException>(() => p.Run(o with { MaxShare = 0 }));
        Assert.Throws<CoalaException>(() => p.Run(o with { MaxVocabulary = 0 }));
        Assert.Throws<CoalaException>(() => p.Run(o with { OutputDirectory = " " }));
    }
}
