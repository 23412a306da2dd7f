using System.Text.Json;
using System.Text.Json.Nodes;
using Coala.ML.Training.Data;
using static Coala.ML.Training.Tests.Data.CorpusPreparerTests;

namespace Coala.ML.Training.Tests.Data;

public class PreparedCorpusTests
{
    private static string Prepare(TempDir dir)
    {
        string csv = MakeInput(dir);
        string outDir = Path.Combine(dir.Path, "out");
        new CorpusPreparer(Small, new FakeExtractor().Extract, "fake").Run(new PrepareOptions { CsvPath = csv, OutputDirectory = outDir, MinCount = 3, Threads = 2, NearDuplicateThreshold = 0 });
        return outDir;
    }

    /// <summary>The fake patch seed of a clip path ("audio/f07.wav" holds "patch 7").</summary>
    private static float[] RawOf(string path) => FakePatch(int.Parse(File.ReadAllText(path).Split(' ')[1]));

    [Fact]
    public void RoundTripsPatchesLabelsAndScaling()
    {
        using var dir = new TempDir();
        string outDir = Prepare(dir);
        using var corpus = PreparedCorpus.Open(outDir);

        Assert.Equal(["cat", "dog", "rare"], corpus.Vocabulary);
        Assert.Equal(8, corpus.Frontend.MelBands);
        Assert.Equal(6, corpus.Frontend.PatchFrames);
        ITrainingSet train = corpus.Train, val = corpus.Validation;
        Assert.Equal((36, 4), (train.Count, val.Count));
        Assert.Equal((8, 6, 3), (train.Bands, train.Frames, train.VocabularySize));

        // The scaler is the per-band min/max of the training patches only.
        var raws = corpus.Train.Paths.Select(RawOf).ToList();
        for (int b = 0; b < 8; b++)
        {
            Assert.Equal(raws.Min(p => p.Skip(b * 6).Take(6).Min()), corpus.Scaler.Min[b]);
            Assert.Equal(raws.Max(p => p.Skip(b * 6).Take(6).Max()), corpus.Scaler.Max[b]);
        }

        // Training patches come back scaled into [0, 1]; labels match clips.tsv.
        var tags = File.ReadAllLines(Path.Combine(outDir, CorpusFiles.Clips)).Skip(1).Select(l => l.Split('\t')[3].Split(' ')).ToArray();
        int[] idx = [0, 5, 35, 5];
        var patches = new float[idx.Length * 48];
        var labels = new float[idx.Length * 3];
        train.Fill(idx, patches, labels);
        for (int k = 0; k < idx.Length; k++)
        {
            var raw = RawOf(corpus.Train.Paths[idx[k]]);
            for (int b = 0; b < 8; b++)
                for (int t = 0; t < 6; t++)
                {
                    float want = (raw[b * 6 + t] - corpus.Scaler.Min[b]) * corpus.Scaler.Scale(b);
                    Assert.Equal(want, patches[k * 48 + b * 6 + t], 6);
                    Assert.InRange(patches[k * 48 + b * 6 + t], 0f, 1f);
                }
            Assert.Equal(corpus.Vocabulary.Select(v => tags[idx[k]].Contains(v) ? 1f : 0f), labels.Skip(k * 3).Take(3));
        }

        // Validation rows follow the training rows.
        var vp = new float[48];
        var vl = new float[3];
        val.Fill([2], vp, vl);
        Assert.Equal(corpus.Vocabulary.Select(v => tags[36 + 2].Contains(v) ? 1f : 0f), vl);
    }

    [Fact]
    public void TagCountsReadFromTheLabelsAloneMatchCountingThroughFill()
    {
        using var dir = new TempDir();
        using var corpus = PreparedCorpus.Open(Prepare(dir));
        foreach (ITrainingSet split in new ITrainingSet[] { corpus.Train, corpus.Validation })
        {
            var viaFill = ((ITrainingSet)new FillOnly(split)).TagCounts();
            Assert.Equal(viaFill, split.TagCounts());
            Assert.Contains(viaFill, c => c > 0);
        }
    }

    /// <summary>Hides a set's own <see cref="ITrainingSet.TagCounts"/> so the interface's Fill-based default runs.</summary>
    private sealed class FillOnly(ITrainingSet inner) : ITrainingSet
    {
        public int Count => inner.Count;
        public int Bands => inner.Bands;
        public int Frames => inner.Frames;
        public int VocabularySize => inner.VocabularySize;
        public void Fill(ReadOnlySpan<int> indices, Span<float> patches, Span<float> labels) => inner.Fill(indices, patches, labels);
    }

    [Fact]
    public void ValidationIsClampedAtZeroTrainingIsNot()
    {
        using var dir = new TempDir();
        string outDir = Prepare(dir);
        // Raise every band's minimum so that some values of both splits fall below it.
        string scalerPath = Path.Combine(outDir, CorpusFiles.Scaler);
        var s = JsonNode.Parse(File.ReadAllText(scalerPath))!;
        var min = s["min"]!.AsArray();
        var max = s["max"]!.AsArray();
        for (int b = 0; b < 8; b++) min[b] = (min[b]!.GetValue<float>() + max[b]!.GetValue<float>()) / 2;
        File.WriteAllText(scalerPath, s.ToJsonString());

        using var corpus = PreparedCorpus.Open(outDir);
        var all = Enumerable.Range(0, 4).ToArray();
        var vp = new float[4 * 48];
        corpus.Validation.Fill(all, vp, new float[4 * 3]);
        var tp = new float[4 * 48];
        corpus.Train.Fill(all, tp, new float[4 * 3]);
        Assert.Contains(tp, x => x < 0);
        Assert.DoesNotContain(vp, x => x < 0);
        for (int k = 0; k < 4; k++)
        {
            var raw = RawOf(corpus.Validation.Paths[k]);
            for (int i = 0; i < 48; i++)
                Assert.Equal(Math.Max(0, (raw[i] - corpus.Scaler.Min[i / 6]) * corpus.Scaler.Scale(i / 6)), vp[k * 48 + i], 6);
        }
        Assert.Contains(vp, x => x == 0);
    }

    [Fact]
    public void ConcurrentFillsMatchSequentialOnes()
    {
        using var dir = new TempDir();
        using var corpus = PreparedCorpus.Open(Prepare(dir));
        var expected = new float[36][];
        for (int i = 0; i < 36; i++) { expected[i] = new float[48]; corpus.Train.Fill([i], expected[i], new float[3]); }
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
        {
            int i = (n * 7) % 36;
            var p = new float[48];
            corpus.Train.Fill([i], p, new float[3]);
            Assert.Equal(expected[i], p);
        });
    }

    [Fact]
    public void BadArgumentsToFillAreRejected()
    {
        using var dir = new TempDir();
        using var corpus = PreparedCorpus.Open(Prepare(dir));
        Assert.Throws<ArgumentOutOfRangeException>(() => corpus.Validation.Fill([4], new float[48], new float[3]));
        Assert.Throws<ArgumentException>(() => corpus.Train.Fill([0], new float[47], new float[3]));
    }

    [Fact]
    public void MissingOrDamagedCorpusIsCoalaException()
    {
        using var dir = new TempDir();
        Assert.Contains("not found", Assert.Throws<CoalaException>(() => PreparedCorpus.Open(Path.Combine(dir.Path, "nope"))).Message);
        Assert.Contains("manifest.json is missing", Assert.Throws<CoalaException>(() => PreparedCorpus.Open(dir.Path)).Message);

        string outDir = Prepare(dir);
        string patches = Path.Combine(outDir, CorpusFiles.Patches);
        var good = File.ReadAllBytes(patches);
        File.WriteAllBytes(patches, good[..^4]);
        var e = Assert.Throws<CoalaException>(() => PreparedCorpus.Open(outDir));
        Assert.Equal(patches, e.FilePath);
        Assert.Contains("bytes", e.Message);
        File.WriteAllBytes(patches, good);

        string labels = Path.Combine(outDir, CorpusFiles.Labels);
        var lb = File.ReadAllBytes(labels);
        lb[0] = 7;
        File.WriteAllBytes(labels, lb);
        using (var corpus = PreparedCorpus.Open(outDir))
            Assert.Equal(labels, Assert.Throws<CoalaException>(() => corpus.Train.Fill([0], new float[48], new float[3])).FilePath);

        string manifest = Path.Combine(outDir, CorpusFiles.Manifest);
        string text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, text.Replace("\"format_version\": 1", "\"format_version\": 99"));
        Assert.Contains("format version 99", Assert.Throws<CoalaException>(() => PreparedCorpus.Open(outDir)).Message);
        File.WriteAllText(manifest, "{ not json");
        Assert.Equal(manifest, Assert.Throws<CoalaException>(() => PreparedCorpus.Open(outDir)).FilePath);
        File.WriteAllText(manifest, text);

        File.Delete(Path.Combine(outDir, CorpusFiles.Vocabulary));
        Assert.Contains("missing", Assert.Throws<CoalaException>(() => PreparedCorpus.Open(outDir)).Message);
    }
}
