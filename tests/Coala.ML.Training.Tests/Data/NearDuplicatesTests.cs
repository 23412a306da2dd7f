using Coala.ML.Audio;
using System.Globalization;
using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

/// <summary>Near-duplicate detection on generated log-mel-like patches, and its wiring into <see cref="CorpusPreparer"/>.</summary>
public class NearDuplicatesTests
{
    private const int Bands = 96, Frames = 96;

    /// <summary>A log-mel-like patch: a spectral envelope, a few decaying partials and onsets, a floor; all from the seed.</summary>
    internal static float[] Sound(int seed, int bands = Bands, int frames = Frames)
    {
        var rng = new Random(seed);
        var p = new float[bands * frames];
        int partials = 3 + rng.Next(6);
        var pos = Enumerable.Range(0, partials).Select(_ => rng.Next(bands)).ToArray();
        var onset = Enumerable.Range(0, 3).Select(_ => rng.Next(frames)).ToArray();
        double tilt = rng.NextDouble() * 0.1, decay = 0.02 + rng.NextDouble() * 0.1;
        for (int b = 0; b < bands; b++)
            for (int t = 0; t < frames; t++)
            {
                double v = -12 - tilt * b;
                foreach (int o in onset) if (t >= o) v += 4 * Math.Exp(-decay * (t - o));
                foreach (int k in pos) v += 6 * Math.Exp(-0.5 * (b - k) * (b - k));
                p[b * frames + t] = (float)(v + 0.5 * rng.NextDouble());
            }
        return p;
    }

    /// <summary>The patch with a gain change (a log-domain offset) and small noise.</summary>
    internal static float[] Variant(float[] patch, int seed, double gainDb = -6, double noise = 0.05)
    {
        var rng = new Random(seed);
        double offset = Math.Log(Math.Pow(10, gainDb / 10)); // power gain in natural log
        return patch.Select(x => (float)(x + offset + noise * (rng.NextDouble() * 2 - 1))).ToArray();
    }

    private static IReadOnlyList<NearDuplicate> Find(IReadOnlyList<float[]> patches, double threshold = NearDuplicates.DefaultThreshold, int bands = Bands, int frames = Frames) =>
        NearDuplicates.Find(patches.Count, bands, frames, (i, buf) => patches[i].CopyTo(buf, 0), threshold);

    [Fact]
    public void NoisyGainChangedCopyIsCaughtAndDifferentSoundsAreNot()
    {
        var patches = Enumerable.Range(0, 40).Select(i => Sound(i)).ToList();
        var copy = Variant(patches[7], seed: 100);
        Assert.True(NearDuplicates.Similarity(patches[7], copy) > 0.995);
        patches.Add(copy); // index 40
        patches.Add(Variant(patches[21], seed: 101, gainDb: 9, noise: 0.1)); // index 41

        var found = Find(patches);

        Assert.Equal([(40, 7), (41, 21)], found.Select(d => (d.Index, d.Of)));
        Assert.All(found, d => Assert.InRange(d.Similarity, 0.995, 1.0));
        // The 40 different sounds are all far from each other.
        for (int a = 0; a < 40; a++)
            for (int b = a + 1; b < 40; b++)
                Assert.True(NearDuplicates.Similarity(patches[a], patches[b]) < 0.995, $"{a} vs {b}");
    }

    [Fact]
    public void SimilarButDifferentSoundIsKept()
    {
        // Same envelope and partials, but the onsets moved: a different event of the same kind.
        var a = Sound(3);
        var b = (float[])a.Clone();
        for (int band = 0; band < Bands; band++)
            for (int t = 0; t < Frames; t++)
                b[band * Frames + t] = a[band * Frames + (t + 20) % Frames];
        double s = NearDuplicates.Similarity(a, b);
        Assert.True(s < 0.9, $"similarity {s}");
        Assert.Empty(Find([a, b]));
    }

    [Fact]
    public void MatchesAllPairsBruteForceAtSeveralThresholds()
    {
        // Families of variants with growing noise: similarities spread around each threshold.
        var patches = new List<float[]>();
        for (int f = 0; f < 6; f++)
        {
            var s = Sound(1000 + f);
            patches.Add(s);
            for (int v = 1; v <= 6; v++) patches.Add(Variant(s, seed: f * 10 + v, gainDb: v - 3, noise: 0.25 * v));
        }
        var rng = new Random(5);
        patches = patches.OrderBy(_ => rng.Next()).ToList();
        foreach (double threshold in new[] { 0.9, 0.98, 0.995, 0.999 })
        {
            var expected = new List<(int, int)>();
            var removed = new HashSet<int>();
            for (int i = 0; i < patches.Count; i++)
            {
                var earlier = Enumerable.Range(0, i).Where(j => !removed.Contains(j))
                    .Select(j => (j, s: NearDuplicates.Similarity(patches[i], patches[j]))).Where(x => x.s > threshold)
                    .OrderByDescending(x => x.s).ToList();
                if (earlier.Count == 0) continue;
                removed.Add(i);
                expected.Add((i, earlier[0].j));
            }
            var found = Find(patches, threshold).Select(d => (d.Index, d.Of)).ToList();
            Assert.Equal(expected, found);
            if (threshold <= 0.98) Assert.NotEmpty(found);
        }
    }

    [Fact]
    public void ChainsAreGreedyInInputOrder()
    {
        // b is near a and c is near b, but c is not near a: b goes (dup of a), so c stays.
        var a = Sound(1);
        var other = Sound(2);
        float[] Mix(double w) => a.Zip(other, (x, y) => (float)((1 - w) * x + w * y)).ToArray();
        var b = Mix(0.08);
        var c = Mix(0.16);
        Assert.True(NearDuplicates.Similarity(a, b) > 0.99);
        Assert.True(NearDuplicates.Similarity(b, c) > 0.99);
        Assert.True(NearDuplicates.Similarity(a, c) < 0.99);
        var found = Find([a, b, c], threshold: 0.99);
        Assert.Equal([(1, 0)], found.Select(d => (d.Index, d.Of)));
    }

    [Fact]
    public void ConstantPatchesAreNeverNearDuplicatesAndOddShapesWork()
    {
        var flat = Enumerable.Repeat(-15.9f, 8 * 6).ToArray();
        var flat2 = Enumerable.Repeat(-3f, 8 * 6).ToArray();
        var s = Sound(4, 8, 6);
        Assert.Equal(0, NearDuplicates.Similarity(flat, s));
        var found = Find([flat, s, flat2, Variant(s, 9, noise: 0.01)], bands: 8, frames: 6);
        Assert.Equal([(3, 1)], found.Select(d => (d.Index, d.Of)));
    }

    /// <summary>A 1.5 s event: a decaying chirp from f0 plus a noise burst, 22.05 kHz.</summary>
    private static double[] Event(double f0, int seed)
    {
        var rng = new Random(seed);
        var x = new double[33075];
        double phase = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double t = i / 22050.0;
            phase += 2 * Math.PI * f0 * (1 + t) / 22050;
            x[i] = Math.Exp(-3 * t) * (0.5 * Math.Sin(phase) + 0.2 * Math.Sin(2.7 * phase)) + (t > 0.6 && t < 0.8 ? 0.2 * (rng.NextDouble() * 2 - 1) : 0);
        }
        return x;
    }

    private static short[] Pcm(double[] x, double gain = 1, double noise = 0, int seed = 0)
    {
        var rng = new Random(seed);
        return x.Select(v => (short)Math.Clamp(Math.Round((gain * v + noise * (rng.NextDouble() * 2 - 1)) * 32767), -32768, 32767)).ToArray();
    }

    [Fact]
    public void RealWavCopyWithNoiseAndGainIsCaughtThroughTheFrontend()
    {
        using var dir = new TempDir();
        var a = Event(440, 1);
        File.WriteAllBytes(dir.File("fx/a.wav"), WavWriter.Pcm16(Pcm(a), 22050));
        File.WriteAllBytes(dir.File("fx/b.wav"), WavWriter.Pcm16(Pcm(Event(1500, 2)), 22050));
        File.WriteAllBytes(dir.File("fx/c.wav"), WavWriter.Pcm16(Pcm(a, gain: 0.5, noise: 0.001, seed: 3), 22050)); // -6 dB, noise at -60 dB
        File.WriteAllBytes(dir.File("fx/d.wav"), WavWriter.Pcm16(Pcm(Event(700, 4)), 22050));
        var extract = AudioPatchSource.Create(Coala.ML.Features.FrontendSettings.Default);
        var patches = new[] { "a", "b", "c", "d" }.Select(n => extract(Path.Combine(dir.Path, "fx", n + ".wav"))).ToList();

        var found = Find(patches);

        var d = Assert.Single(found);
        Assert.Equal((2, 0), (d.Index, d.Of));
        Assert.True(d.Similarity > 0.999, $"copy: {d.Similarity}");
        Assert.True(NearDuplicates.Similarity(patches[0], patches[1]) < 0.9);
        Assert.True(NearDuplicates.Similarity(patches[0], patches[3]) < 0.9);
        // Without the dynamic-range floor the quiet bands (16-bit dither versus the added noise) would hide the copy.
        Assert.True(NearDuplicates.Similarity(patches[0], patches[2], dynamicRangeDb: 200) < 0.99);
    }

    [Fact]
    public void BadThresholdIsCoalaException()
    {
        Assert.Throws<CoalaException>(() => Find([Sound(1), Sound(2)], threshold: 0));
        Assert.Throws<CoalaException>(() => Find([Sound(1), Sound(2)], threshold: 1.5));
        Assert.Throws<CoalaException>(() => Find([Sound(1), Sound(2)], threshold: double.NaN));
    }

    [Fact]
    public void PreparerDropsNearDuplicatesWithReasonAndZeroDisables()
    {
        using var dir = new TempDir();
        var patches = new Dictionary<string, float[]>();
        var csv = new System.Text.StringBuilder("path,tags\n");
        for (int i = 0; i < 12; i++)
        {
            string rel = $"audio/s{i:00}.wav";
            patches[dir.File(rel, "x")] = Sound(i, 8, 6);
            csv.Append(CultureInfo.InvariantCulture, $"{rel},bang {(i % 2 == 0 ? "even" : "odd")}\n");
        }
        string copy = dir.File("audio/t-copy.wav", "x");
        patches[copy] = Variant(Sound(4, 8, 6), 77, gainDb: 3, noise: 0.02);
        csv.Append("audio/t-copy.wav,bang even\n");
        string csvPath = dir.File("tags.csv", csv.ToString());
        var preparer = new CorpusPreparer(CorpusPreparerTests.Small, p => patches[Path.GetFullPath(p)], "fake-near");

        var result = preparer.Run(new PrepareOptions { CsvPath = csvPath, OutputDirectory = Path.Combine(dir.Path, "out"), MinCount = 1, Threads = 2 });

        Assert.Equal(12, result.Manifest.Clips);
        var d = Assert.Single(result.Dropped);
        Assert.Equal(DropCategory.NearDuplicate, d.Category);
        Assert.Equal(copy, d.Path);
        Assert.True(d.Reason.StartsWith("near-duplicate of " + Path.Combine(dir.Path, "audio", "s04.wav") + " (similarity ", StringComparison.Ordinal), d.Reason);
        Assert.Contains("near-duplicate of", File.ReadAllText(Path.Combine(dir.Path, "out", CorpusFiles.Dropped)));
        Assert.Equal(1, result.Manifest.DroppedByCategory[DropCategory.NearDuplicate]);

        var off = preparer.Run(new PrepareOptions { CsvPath = csvPath, OutputDirectory = Path.Combine(dir.Path, "out"), MinCount = 1, Threads = 2, NearDuplicateThreshold = 0 });
        Assert.False(off.UpToDate); // the threshold is part of the input hash
        Assert.Equal(13, off.Manifest.Clips);
        Assert.Empty(off.Dropped);

        Assert.Throws<CoalaException>(() => preparer.Run(new PrepareOptions { CsvPath = csvPath, OutputDirectory = Path.Combine(dir.Path, "out"), NearDuplicateThreshold = -0.5 }));
    }
}
