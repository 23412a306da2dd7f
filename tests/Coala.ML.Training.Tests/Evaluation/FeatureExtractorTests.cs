using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Evaluation;
using Coala.ML.Training.Tests.Data;

namespace Coala.ML.Training.Tests.Evaluation;

public class FeatureExtractorTests
{
    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    [Fact]
    public void MfccIs120FiniteDeterministicAndSeparatesToneFromNoise()
    {
        using var tmp = new TempDir();
        using var mfcc = new MfccFeatures();
        Assert.Equal(120, mfcc.Dimension);
        var tone1 = mfcc.Extract(EvalData.Wav(tmp.File("t1.wav"), EvalData.Tone(440, 1.0, amp: 0.4)));
        var tone2 = mfcc.Extract(EvalData.Wav(tmp.File("t2.wav"), EvalData.Tone(440, 1.0, amp: 0.3, phase: 1)));
        var noise1 = mfcc.Extract(EvalData.Wav(tmp.File("n1.wav"), EvalData.Noise(1, 1.0)));
        var noise2 = mfcc.Extract(EvalData.Wav(tmp.File("n2.wav"), EvalData.Noise(2, 1.0)));
        foreach (var v in new[] { tone1, tone2, noise1, noise2 })
        {
            Assert.Equal(120, v.Length);
            Assert.All(v, x => Assert.True(float.IsFinite(x)));
        }
        Assert.Equal(tone1, mfcc.Extract(tmp.File("t1.wav")));
        double within = Math.Max(Distance(tone1, tone2), Distance(noise1, noise2));
        double between = Distance(tone1, noise1);
        Assert.True(between > 3 * within, $"between {between:F1}, within {within:F1}");
        // Steady signal: the mean delta is small next to the spread of c0 (only the padded ends move), the mean c0 is not.
        Assert.True(Math.Abs(tone1[20]) < 0.1 * tone1[60] && Math.Abs(tone1[0]) > 10, $"mean c0 {tone1[0]}, mean delta c0 {tone1[20]}, std c0 {tone1[60]}");
    }

    [Fact]
    public void MfccParallelCallsAgreeAndShortClipsWork()
    {
        using var mfcc = new MfccFeatures();
        var clips = Enumerable.Range(0, 8).Select(i => EvalData.Noise(i, 0.3, 22000)).ToArray();
        var serial = clips.Select(c => mfcc.FromSamples(c, 22000, "x")).ToArray();
        var parallel = new float[clips.Length][];
        Parallel.For(0, clips.Length, i => parallel[i] = mfcc.FromSamples(clips[i], 22000, "x"));
        for (int i = 0; i < clips.Length; i++) Assert.Equal(serial[i], parallel[i]);
        // 10 ms: one or two frames, deltas zero, still finite.
        var tiny = mfcc.FromSamples(EvalData.Tone(300, 0.01, 22000), 22000, "tiny");
        Assert.All(tiny, x => Assert.True(float.IsFinite(x)));
        Assert.Throws<CoalaException>(() => mfcc.FromSamples([], 22000, "empty"));
        Assert.Throws<CoalaException>(() => mfcc.FromSamples([float.NaN, 0f], 22000, "nan"));
    }

    [Fact]
    public void DeltaMatchesLibrosaOnPolynomials()
    {
        // Linear ramp: delta = slope everywhere (interp edges too), delta2 = 0. Quadratic: delta2 = 2a.
        int t = 20;
        var lin = new float[1, t];
        var quad = new float[1, t];
        for (int f = 0; f < t; f++) { lin[0, f] = 3 * f + 1; quad[0, f] = 0.5f * f * f; }
        var d1 = MfccFeatures.Delta(lin, 1);
        var d2 = MfccFeatures.Delta(lin, 2);
        var q2 = MfccFeatures.Delta(quad, 2);
        var q1 = MfccFeatures.Delta(quad, 1);
        for (int f = 0; f < t; f++)
        {
            Assert.Equal(3, d1[0, f], 4);
            Assert.Equal(0, d2[0, f], 4);
            Assert.Equal(1, q2[0, f], 4);
        }
        Assert.Equal(10, q1[0, 10], 3);     // interior: derivative of 0.5 f^2 at f = 10
        Assert.Equal(4, q1[0, 0], 3);       // interp edge: the first window's centre (f = 4)
        Assert.Equal(15, q1[0, t - 1], 3);  // and the last window's (f = 15)
    }

    [Fact]
    public void RandomEncoderHas1152DimsSameArchitectureAndTheGivenScaler()
    {
        using var tmp = new TempDir();
        var min = Enumerable.Range(0, 96).Select(b => -15f + b * 0.01f).ToArray();
        var scaler = new MinMaxScaler(min, min.Select(m => m + 12f).ToArray());
        using var random = CoalaFeatures.RandomEncoder("random encoder", tmp.File("r.onnx"), seed: 5, scaler);
        Assert.Equal(1152, random.Dimension);
        Assert.Equal(OnnxEncoderWriter.Architecture, random.Model.Architecture);
        Assert.Equal(OnnxEncoderWriter.EmbeddingDim(FrontendSettings.Default), random.Model.EmbeddingDim);
        var back = random.Model.Scaler;
        for (int b = 0; b < 96; b++)
        {
            Assert.Equal(scaler.Min[b], back.Min[b]);
            Assert.Equal(scaler.Scale(b), back.Scale(b));   // as stored, not re-derived from a maximum
        }
        var wav = EvalData.Wav(tmp.File("a.wav"), EvalData.Tone(440, 1.0));
        var v = random.Extract(wav);
        Assert.Equal(1152, v.Length);
        Assert.All(v, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(v, random.Extract(wav));
        // Another seed is another encoder.
        using var other = CoalaFeatures.RandomEncoder("r2", tmp.File("r2.onnx"), seed: 6, scaler);
        Assert.NotEqual(v, other.Extract(wav));
    }

    [Fact]
    public void RandomEncoderScalerFittedOnTrainingClips()
    {
        using var tmp = new TempDir();
        var paths = Enumerable.Range(0, 4).Select(i => EvalData.Wav(tmp.File($"c{i}.wav"), EvalData.Tone(200 + 100 * i, 0.5))).ToList();
        paths.Add(tmp.File("broken.wav", "RIFF nonsense"));
        var scaler = CoalaFeatures.FitScaler(paths, FrontendSettings.Default);
        Assert.Equal(96, scaler.Bands);
        Assert.All(Enumerable.Range(0, 96), b => Assert.True(scaler.Max[b] > scaler.Min[b]));
        Assert.Throws<CoalaException>(() => CoalaFeatures.FitScaler([tmp.File("broken.wav")], FrontendSettings.Default));
    }

    [Fact]
    public void CoalaModelMissingFileIsCoalaException()
    {
        var e = Assert.Throws<CoalaException>(() => new CoalaFeatures("AE-C", "/nonexistent/aec.onnx"));
        Assert.Contains("not found", e.Message);
    }
}
