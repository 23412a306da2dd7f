using Coala.ML.Features;

namespace Coala.ML.Tests.Features;

public class CoalaFrontendTests
{
    private static readonly FrontendSettings S = FrontendSettings.Default;

    private static float[] Noise(int n, int seed, float amplitude)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = amplitude * (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    [Fact]
    public void ThreeAndAHalfPatchesGiveThreeInPatchBandFrameLayout()
    {
        int n = (int)(3.5 * 96 - 1) * 512;   // 1 + n/512 = 336 frames = 3.5 patches
        var x = Noise(n, 1, 0.3f);
        var frontend = new CoalaFrontend(S);
        var patches = frontend.EmbeddingPatches(x, out int count, "clip.wav");
        var spec = new LogMelSpectrogram(S).Compute(x);

        Assert.Equal(336, spec.Frames);
        Assert.Equal(3, count);
        Assert.Equal(3, S.PatchCount(n));
        Assert.Equal(3 * 96 * 96, patches.Length);
        for (int p = 0; p < 3; p++)
            for (int b = 0; b < 96; b++)
                for (int f = 0; f < 96; f++)
                    Assert.Equal(spec[b, p * 96 + f], patches[(p * 96 + b) * 96 + f]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(700)]
    [InlineData(30000)]
    [InlineData(48639)]
    [InlineData(48640)]
    public void ClipShorterThanOnePatchIsZeroPaddedToExactlyOne(int n)
    {
        var x = Noise(n, n, 0.5f);
        var frontend = new CoalaFrontend(S);
        var patches = frontend.EmbeddingPatches(x, out int count);
        Assert.Equal(1, count);
        Assert.Equal(96 * 96, patches.Length);

        var padded = new float[S.MinSamplesForOnePatch];
        x.CopyTo(padded, 0);
        var spec = new LogMelSpectrogram(S).Compute(padded);
        Assert.Equal(96, spec.Frames);
        Assert.Equal(spec.Data, patches);
    }

    [Fact]
    public void PatchesAreDeterministicAndThreadSafe()
    {
        var x = Noise(10 * 22000, 5, 0.2f);
        var frontend = new CoalaFrontend(S);
        var a = frontend.EmbeddingPatches(x, out int count);
        Assert.Equal((1 + x.Length / 512) / 96, count);
        var results = new float[8][];
        Parallel.For(0, results.Length, i => results[i] = frontend.EmbeddingPatches(x, out _));
        Assert.All(results, r => Assert.Equal(a, r));
        Assert.Equal(a, new CoalaFrontend(S).EmbeddingPatches(x, out _));
    }

    [Fact]
    public void MaxEnergyPatchPicksTheLoudBurst()
    {
        // 9 s of faint noise with a loud burst over exactly frames 240..335 (a window start: 240 = 20 * 12).
        var x = Noise(9 * 22000, 3, 0.001f);
        var burst = Noise(95 * 512, 4, 0.8f);
        burst.CopyTo(x, 240 * 512);
        var frontend = new CoalaFrontend(S);
        var patch = frontend.MaxEnergyPatch(x, padToSeconds: 10, step: 12, source: "burst.wav");

        var padded = new float[10 * 22000];   // zero-padded to 10 s, as MaxEnergyPatch does
        x.CopyTo(padded, 0);
        var spec = new LogMelSpectrogram(S).Compute(padded);
        Assert.Equal(1 + 220000 / 512, spec.Frames);
        Assert.Equal(96 * 96, patch.Length);
        for (int b = 0; b < 96; b++)
            for (int f = 0; f < 96; f++)
                Assert.Equal(spec[b, 240 + f], patch[b * 96 + f]);

        // Moving the burst by one step moves the chosen window with it.
        var y = Noise(9 * 22000, 3, 0.001f);
        burst.CopyTo(y, 252 * 512);
        var moved = frontend.MaxEnergyPatch(y);
        var padY = new float[220000];
        y.CopyTo(padY, 0);
        var specY = new LogMelSpectrogram(S).Compute(padY);
        Assert.Equal(specY[50, 252], moved[50 * 96]);
        Assert.Equal(specY[95, 252 + 95], moved[95 * 96 + 95]);
    }

    [Fact]
    public void MaxEnergyPatchesTakeTheLoudestNonOverlappingWindowsInsideTheClip()
    {
        // 14 s (602 frames) of faint noise with bursts over frames 240.., 480.. and 24.., loudest first.
        var x = Noise(14 * 22000, 3, 0.001f);
        Noise(95 * 512, 4, 0.8f).CopyTo(x, 240 * 512);
        Noise(95 * 512, 5, 0.5f).CopyTo(x, 480 * 512);
        Noise(95 * 512, 6, 0.3f).CopyTo(x, 24 * 512);
        var frontend = new CoalaFrontend(S);
        var spec = new LogMelSpectrogram(S).Compute(x);
        Assert.Equal(602, spec.Frames);
        void AssertWindow(float[] patches, int p, int start)
        {
            for (int b = 0; b < 96; b += 5)
                for (int f = 0; f < 96; f += 7)
                    Assert.Equal(spec[b, start + f], patches[p * 96 * 96 + b * 96 + f]);
        }

        var three = frontend.MaxEnergyPatches(x, 3, source: "bursts.wav");
        Assert.Equal(3 * 96 * 96, three.Length);
        Assert.Equal(frontend.MaxEnergyPatch(x), three[..(96 * 96)]);
        AssertWindow(three, 0, 240);
        AssertWindow(three, 1, 480);
        AssertWindow(three, 2, 24);

        // Asked for more, it stops when no further window fits between those taken and the clip's end:
        // one in the 120 frames 120..239 and one in the 144 frames 336..479; none in 0..23 or 576..601.
        var all = frontend.MaxEnergyPatches(x, 10);
        Assert.Equal(5 * 96 * 96, all.Length);
        Assert.Equal(three, all[..three.Length]);
        var starts = new List<int> { 240, 480, 24 };
        for (int p = 3; p < 5; p++)
        {
            int start = Enumerable.Range(0, 602 - 96 + 1).Where(t => t % 12 == 0)
                .Single(t => spec[0, t] == all[p * 96 * 96] && spec[95, t + 95] == all[p * 96 * 96 + 95 * 96 + 95]);
            Assert.All(starts, s => Assert.True(Math.Abs(s - start) >= 96, $"window {start} overlaps {s}"));
            starts.Add(start);
        }
        Assert.Contains(starts, s => s is >= 120 and <= 144);
        Assert.Contains(starts, s => s is >= 336 and <= 384);
    }

    [Fact]
    public void MaxEnergyPatchesOfAClipShorterThanTwoPatchesIsOnePatch()
    {
        var x = Noise(3 * 22000, 8, 0.5f); // 129 frames, padded to 10 s: further windows would hold padding
        var frontend = new CoalaFrontend(S);
        Assert.Equal(frontend.MaxEnergyPatch(x), frontend.MaxEnergyPatches(x, 3));
        var e = Assert.Throws<CoalaException>(() => frontend.MaxEnergyPatches(x, 0, source: "z.wav"));
        Assert.Contains("patch count 0", e.Message);
        Assert.Equal("z.wav", e.FilePath);
    }

    [Fact]
    public void MaxEnergyPatchOfAShortClipWithoutPaddingIsOnePatch()
    {
        var x = Noise(1000, 9, 0.5f);
        var patch = new CoalaFrontend(S).MaxEnergyPatch(x, padToSeconds: 0);
        Assert.Equal(96 * 96, patch.Length);
        Assert.Equal(new CoalaFrontend(S).EmbeddingPatches(x, out _), patch);
    }

    [Fact]
    public void BadInputThrowsCoalaException()
    {
        var frontend = new CoalaFrontend(S);
        var e = Assert.Throws<CoalaException>(() => frontend.EmbeddingPatches(Array.Empty<float>(), out _, "e.wav"));
        Assert.Equal("e.wav", e.FilePath);
        Assert.Contains("empty", e.Message);

        var x = new float[50000];
        x[49999] = float.NaN;
        e = Assert.Throws<CoalaException>(() => frontend.EmbeddingPatches(x, out _, "n.wav"));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("n.wav", e.Message);
        e = Assert.Throws<CoalaException>(() => frontend.MaxEnergyPatch(x, source: "n.wav"));
        Assert.Contains("NaN", e.Message);
        Assert.Throws<CoalaException>(() => frontend.MaxEnergyPatch(Array.Empty<float>()));
        Assert.Throws<CoalaException>(() => frontend.MaxEnergyPatch(new float[100], step: 0));
        Assert.Throws<CoalaException>(() => frontend.MaxEnergyPatch(new float[100], padToSeconds: double.NaN));
    }

    [Fact]
    public void FittedScalerMapsTrainingDataToUnitRangePerBand()
    {
        var frontend = new CoalaFrontend(S);
        var training = new List<float[]>
        {
            frontend.MaxEnergyPatch(Noise(30000, 1, 0.5f), padToSeconds: 3),
            frontend.MaxEnergyPatch(Noise(60000, 2, 0.05f), padToSeconds: 3),
            frontend.EmbeddingPatches(Noise(100000, 3, 0.2f), out int count),   // [patch, band, frame] also accepted
        };
        Assert.Equal(2, count);
        var scaler = MinMaxScaler.Fit(training, 96, 96);
        Assert.Equal(96, scaler.Bands);

        var all = training.SelectMany(p => p).ToArray();
        scaler.Apply(all, 96);
        for (int b = 0; b < 96; b++)
        {
            var band = Enumerable.Range(0, all.Length / (96 * 96))
                .SelectMany(p => all.Skip(p * 96 * 96 + b * 96).Take(96)).ToArray();
            Assert.Equal(0f, band.Min(), 1e-6f);
            Assert.Equal(1f, band.Max(), 1e-5f);
            Assert.True(scaler.Max[b] > scaler.Min[b]);
        }

        Assert.Throws<CoalaException>(() => MinMaxScaler.Fit([], 96, 96));
        Assert.Throws<CoalaException>(() => MinMaxScaler.Fit([new float[100]], 96, 96));
    }
}
