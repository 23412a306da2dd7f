using Coala.ML.Export;
using Coala.ML.Features;
using Onnx;

namespace Coala.ML.Tests.Features;

/// <summary>The one scaler: fit (streaming and at once), apply (with and without clamping), JSON and graph forms.</summary>
public class MinMaxScalerTests
{
    private static float[] Patches(int count, int bands, int frames, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count * bands * frames).Select(i => (float)(rng.NextDouble() * 10 - 12 + (i / frames % bands) * 0.1)).ToArray();
    }

    [Fact]
    public void StreamingFitEqualsFittingAtOnceAndMapsTrainingDataIntoTheUnitRange()
    {
        var a = Patches(3, 8, 6, 1);
        var b = Patches(2, 8, 6, 2);
        var fitter = new MinMaxScaler.Fitter(8, 6);
        for (int p = 0; p < 3; p++) fitter.Add(a.AsSpan(p * 48, 48));
        fitter.Add(b);
        var streamed = fitter.ToScaler();
        var atOnce = MinMaxScaler.Fit([a, b], 8, 6);
        Assert.Equal(atOnce.Min, streamed.Min);
        Assert.Equal(atOnce.Max, streamed.Max);
        Assert.Equal(4, fitter.Count);

        var all = a.Concat(b).ToArray();
        streamed.Apply(all, 6);
        Assert.Equal(0f, all.Min(), 6);
        Assert.Equal(1f, all.Max(), 5);
    }

    [Fact]
    public void ClampingOnlyTouchesValuesBelowTheTrainingMinimum()
    {
        var scaler = new MinMaxScaler([1f, -2f], [3f, -2f]);   // the second band is flat: scale 1
        Assert.Equal(0.5f, scaler.Scale(0));
        Assert.Equal(1f, scaler.Scale(1));
        float[] x = [0f, 2f, 5f, -3f, -2f, -1f];
        var clamped = x.ToArray();
        scaler.Apply(x, 3);
        scaler.Apply(clamped, 3, clampAtZero: true);
        Assert.Equal([-0.5f, 0.5f, 2f, -1f, 0f, 1f], x);
        Assert.Equal([0f, 0.5f, 2f, 0f, 0f, 1f], clamped);
        Assert.Throws<ArgumentException>(() => scaler.Apply(new float[5], 3));
    }

    [Fact]
    public void JsonRoundTripsAndBadJsonNamesTheFile()
    {
        var scaler = MinMaxScaler.Fit([Patches(2, 4, 3, 7)], 4, 3);
        var back = MinMaxScaler.FromJson(scaler.ToJson(), 4, "scaler.json");
        Assert.Equal(scaler.Min, back.Min);
        Assert.Equal(scaler.Max, back.Max);
        Assert.Contains("\"bands\": 4", scaler.ToJson());

        var wrongBands = Assert.Throws<CoalaException>(() => MinMaxScaler.FromJson(scaler.ToJson(), 5, "scaler.json"));
        Assert.Equal("scaler.json", wrongBands.FilePath);
        var corrupt = Assert.Throws<CoalaException>(() => MinMaxScaler.FromJson("{ \"bands\": ", 4, "scaler.json"));
        Assert.Contains("corrupt scaler", corrupt.Message);
        var inverted = Assert.Throws<CoalaException>(() => MinMaxScaler.FromJson("{\"bands\":1,\"min\":[2],\"max\":[1]}", 1, "scaler.json"));
        Assert.Equal("scaler.json", inverted.FilePath);
    }

    [Fact]
    public void TheGraphFormReadsBackTheWrittenConstantsBitForBit()
    {
        var min = Enumerable.Range(0, 96).Select(b => -15.942385f + b * 0.0137f).ToArray();
        var scaler = new MinMaxScaler(min, min.Select((m, b) => m + 7.3f + b * 0.011f).ToArray());
        var graph = OnnxEncoderWriter.Build(EncoderWeights.Random(1), FrontendSettings.Default, scaler).Graph;
        var back = MinMaxScaler.FromGraph(graph, "m.onnx");
        Assert.Equal(scaler.Min, back.Min);
        for (int b = 0; b < 96; b++) Assert.Equal(BitConverter.SingleToInt32Bits(scaler.Scale(b)), BitConverter.SingleToInt32Bits(back.Scale(b)));

        var broken = graph.Clone();
        var scale = broken.Initializer.First(t => t.Name == MinMaxScaler.GraphScaleName);
        scale.FloatData.Clear();
        scale.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[96 * 4]);   // all zero: not a scale
        var e = Assert.Throws<CoalaException>(() => MinMaxScaler.FromGraph(broken, "m.onnx"));
        Assert.Equal("m.onnx", e.FilePath);
        broken.Initializer.Remove(broken.Initializer.First(t => t.Name == MinMaxScaler.GraphMinName));
        Assert.Contains(MinMaxScaler.GraphMinName, Assert.Throws<CoalaException>(() => MinMaxScaler.FromGraph(broken)).Message);
    }
}
