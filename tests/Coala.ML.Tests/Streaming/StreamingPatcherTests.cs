using Coala.ML.Features;

namespace Coala.ML.Tests.Streaming;

/// <summary>
/// <see cref="StreamingPatcher"/> (and <see cref="CoalaFrontend.EmbeddingPatches"/>, built on it) gives bit for bit the
/// patches cut from the whole clip's one-shot log-mel spectrogram (<see cref="LogMelSpectrogram.Compute(ReadOnlySpan{float}, int, string?)"/>).
/// </summary>
public class StreamingPatcherTests
{
    private static readonly FrontendSettings Default = FrontendSettings.Default;

    /// <summary>Small settings whose hop does not divide the FFT size, to exercise the general case quickly.</summary>
    private static readonly FrontendSettings Odd = new()
    {
        SampleRate = 8000, FftSize = 256, HopLength = 100, MelBands = 16, PatchFrames = 8,
    };

    private static float[] Noise(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(0.5 * Math.Sin(i * 0.013) + 0.3 * (rng.NextDouble() * 2 - 1));
        return x;
    }

    /// <summary>Feeds <paramref name="x"/> in pieces (size 0 means pieces of random size up to 5000) and takes patches as they come.</summary>
    private static float[] Stream(FrontendSettings s, float[] x, int piece, int seed, out long patches)
    {
        var patcher = new StreamingPatcher(s, "test");
        var rng = new Random(seed);
        var output = new List<float>();
        var take = new float[3 * patcher.PatchValues];
        int at = 0;
        while (at < x.Length)
        {
            int n = Math.Min(x.Length - at, piece > 0 ? piece : rng.Next(0, 5001));
            patcher.Append(x.AsSpan(at, n));
            at += n;
            int got;
            while ((got = patcher.TakePatches(take)) > 0) output.AddRange(take.AsSpan(0, got * patcher.PatchValues));
        }
        patcher.Complete();
        int last;
        while ((last = patcher.TakePatches(take)) > 0) output.AddRange(take.AsSpan(0, last * patcher.PatchValues));
        patches = patcher.PatchCount;
        return output.ToArray();
    }

    /// <summary>Patches sliced from the zero-padded clip's full spectrogram: the definition, computed independently.</summary>
    private static float[] OneShot(FrontendSettings s, float[] x, out int count)
    {
        var spec = new LogMelSpectrogram(s).Compute(x, Math.Max(x.Length, s.MinSamplesForOnePatch));
        count = (int)s.PatchCount(x.Length);
        int per = s.MelBands * s.PatchFrames;
        var patches = new float[count * per];
        for (int p = 0; p < count; p++)
            for (int b = 0; b < s.MelBands; b++)
                Array.Copy(spec.Data, b * spec.Frames + p * s.PatchFrames, patches, p * per + b * s.PatchFrames, s.PatchFrames);
        return patches;
    }

    public static TheoryData<string, int> Lengths()
    {
        var d = Default;
        int one = d.MinSamplesForOnePatch;          // exactly one patch
        int two = (2 * d.PatchFrames - 1) * d.HopLength;   // the first length with two patches
        var data = new TheoryData<string, int>();
        foreach (int n in new[] { 1, 2, 3, 100, 511, 512, 513, 514, 515, 1024, 1025, 1026, 1027, 2047, 5000,
                     one - 1, one, one + 1, one + 511, one + 512, two - 1, two, two + 1, 3 * two + 777 })
            data.Add("default", n);
        var o = Odd;
        foreach (int n in new[] { 1, 2, 129, 130, 257, 258, 259, o.MinSamplesForOnePatch - 1, o.MinSamplesForOnePatch,
                     o.MinSamplesForOnePatch + 1, 1599, 1600, 1601, 12_345 })
            data.Add("odd", n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void StreamedPatchesEqualTheOneShotPatchesBitForBit(string settings, int length)
    {
        var s = settings == "odd" ? Odd : Default;
        var x = Noise(length, length);
        var expected = OneShot(s, x, out int count);
        Assert.Equal(expected, new CoalaFrontend(s).EmbeddingPatches(x, out int oneShotCount));
        Assert.Equal(count, oneShotCount);
        foreach (int piece in new[] { int.MaxValue, 1, 511, 1024, 0 })
        {
            var got = Stream(s, x, piece == int.MaxValue ? x.Length : piece, seed: length + piece, out long patches);
            Assert.Equal(count, patches);
            Assert.True(expected.AsSpan().SequenceEqual(got), $"{settings}, {length} samples in pieces of {piece}: patches differ");
        }
    }

    [Fact]
    public void PatchesComeOutBeforeTheEndSoMemoryStaysBounded()
    {
        var s = Default;
        var patcher = new StreamingPatcher(s);
        var x = Noise(s.SampleRate * 60, 3);   // one minute: 26 patches
        var take = new float[patcher.PatchValues];
        int taken = 0;
        for (int at = 0; at < x.Length; at += 4096)
        {
            patcher.Append(x.AsSpan(at, Math.Min(4096, x.Length - at)));
            Assert.InRange(patcher.ReadyPatches, 0, 1);   // a 4096-sample piece finishes at most one patch
            taken += patcher.TakePatches(take);
        }
        Assert.True(taken >= 25, $"only {taken} patches were released before the end");
        patcher.Complete();
        taken += patcher.TakePatches(take);
        Assert.Equal(s.PatchCount(x.Length), taken);
    }

    [Fact]
    public void EmptyAndNonFiniteInputAreCoalaExceptionsNamingTheSource()
    {
        var e = Assert.Throws<CoalaException>(() => new StreamingPatcher(Default, "clip.wav").Complete());
        Assert.Equal("clip.wav", e.FilePath);
        var patcher = new StreamingPatcher(Default, "clip.wav");
        patcher.Append(new float[10]);
        e = Assert.Throws<CoalaException>(() => patcher.Append([0f, float.NaN]));
        Assert.Equal("clip.wav", e.FilePath);
        Assert.Contains("index 11", e.Message);
    }
}
