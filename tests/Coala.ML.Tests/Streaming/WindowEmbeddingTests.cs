using Coala.ML.Export;
using System.Globalization;
using Coala.ML.Features;
using Coala.ML.Tests.TestSupport;
using Parquet;
using Parquet.Schema;

namespace Coala.ML.Tests.Streaming;

/// <summary>Per-window embeddings with timestamps (<see cref="CoalaEmbedder.EmbedFileWindows"/>, <c>coala embed --pooling None --hop</c>).</summary>
[Collection("Console")] // the CLI tests write to the process-wide console
public class WindowEmbeddingTests
{
    private static float[] Patches(FrontendSettings s, float[] x, int? hop, out long count)
    {
        var p = new StreamingPatcher(s, "test", hop);
        p.Append(x);
        p.Complete();
        var all = new float[p.ReadyPatches * p.PatchValues];
        p.TakePatches(all);
        count = p.PatchCount;
        return all;
    }

    [Fact]
    public void OverlappingPatchesAreTheFramesOfTheirSpanAndTheDefaultHopIsUnchanged()
    {
        var s = FrontendSettings.Default;
        var x = TestAssets.Signal(9.0, s.SampleRate, seed: 3);
        var plain = Patches(s, x, null, out long n);
        Assert.Equal(plain, Patches(s, x, s.PatchFrames, out _));   // bit for bit
        var half = Patches(s, x, s.PatchFrames / 2, out long m);
        long frames = 1 + x.Length / s.HopLength;
        Assert.Equal((frames - s.PatchFrames) / (s.PatchFrames / 2) + 1, m);
        Assert.True(m >= 2 * n - 1, $"{m} half-hop windows for {n} patches");
        int per = s.MelBands * s.PatchFrames;
        for (int k = 0; k < n; k++)   // every other half-hop window is a non-overlapping patch
            Assert.True(half.AsSpan(2 * k * per, per).SequenceEqual(plain.AsSpan(k * per, per)), $"window {2 * k} differs from patch {k}");
        // An odd window straddles two patches: its first half is the second half of the patch before.
        int h = s.PatchFrames / 2;
        for (int b = 0; b < s.MelBands; b++)
            Assert.True(half.AsSpan(per + b * s.PatchFrames, h).SequenceEqual(plain.AsSpan(b * s.PatchFrames + h, h)), $"band {b}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingPatcher(s, "t", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingPatcher(s, "t", s.PatchFrames + 1));
    }

    [Fact]
    public void TheGraphsPerWindowOutputAveragesToItsPooledOutputAndOlderFilesStillGiveWindows()
    {
        string model = TestAssets.RandomModel(seed: 4);
        var loaded = Coala.ML.Model.CoalaModel.Load(model);
        Assert.True(loaded.HasWindowsOutput);
        string wav = TestAssets.WriteWav(Path.Combine(TestAssets.TempDir("windows-graph"), "long.wav"), TestAssets.Signal(40.0, 22000, seed: 9), 22000);

        // One run of the graph: coala_windows [P, 1152] beside coala_mean [1152]; their mean equals the pooled output.
        var patches = new Coala.ML.Features.CoalaFrontend(loaded.Frontend).EmbeddingPatches(
            Coala.ML.Audio.AudioReader.Read(wav).Samples, out int count);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(loaded.Bytes);
        var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(patches, [1, patches.Length]);
        using var outputs = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), [OnnxEncoderWriter.InputName], [input],
            [OnnxEncoderWriter.WindowsOutput, OnnxEncoderWriter.MeanOutput]);
        var perWindow = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var pooled = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(new long[] { count, 1152 }, outputs[0].GetTensorTypeAndShape().Shape);
        Assert.True(count >= 17);
        for (int d = 0; d < 1152; d++)
            Assert.Equal(pooled[d], Enumerable.Range(0, count).Average(k => (double)perWindow[k * 1152 + d]), 1e-6);

        // The embedder reads the windows in runs of 16 patches; a file without the output runs one patch at a time.
        var old = Onnx.ModelProto.Parser.ParseFrom(loaded.Bytes);
        old.Graph.Output.Remove(old.Graph.Output.First(o => o.Name == OnnxEncoderWriter.WindowsOutput));
        old.Graph.Node.Remove(old.Graph.Node.First(n => n.Output.Contains(OnnxEncoderWriter.WindowsOutput)));
        string oldPath = Path.Combine(TestAssets.TempDir("windows-graph"), "old.onnx");
        File.WriteAllBytes(oldPath, Google.Protobuf.MessageExtensions.ToByteArray(old));
        Assert.False(Coala.ML.Model.CoalaModel.Load(oldPath).HasWindowsOutput);
        using var chunked = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model, Pooling = CoalaPooling.None });
        using var single = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = oldPath, Pooling = CoalaPooling.None });
        var a = chunked.EmbedFileWindows(wav);
        var b = single.EmbedFileWindows(wav);
        Assert.Equal(count, a.Count);
        Assert.Equal(count, b.Count);
        for (int k = 0; k < count; k++)
        {
            Assert.Equal(perWindow.AsSpan(k * 1152, 1152).ToArray(), a[k].Embedding);
            for (int d = 0; d < 1152; d++) Assert.Equal(a[k].Embedding[d], b[k].Embedding[d], 1e-5);
        }
    }

    [Fact]
    public void WindowsCarryTimestampsAndAverageToThePooledEmbedding()
    {
        string model = TestAssets.RandomModel();
        string wav = TestAssets.WriteWav(Path.Combine(TestAssets.TempDir("windows"), "long.wav"), TestAssets.Signal(11.0, 22000, seed: 5), 22000);
        using var pooled = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model });
        using var windowed = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model, Pooling = CoalaPooling.None });
        var windows = windowed.EmbedFileWindows(wav);
        double w = windowed.WindowSeconds;
        Assert.Equal(96 * 512 / 22000.0, w, 12);
        Assert.Equal(4, windows.Count);   // 11 s hold four whole 2.23 s windows
        for (int k = 0; k < windows.Count; k++)
        {
            Assert.Equal(k * w, windows[k].StartSeconds, 9);
            Assert.Equal((k + 1) * w, windows[k].EndSeconds, 9);
        }
        var mean = pooled.EmbedFile(wav);
        for (int d = 0; d < mean.Length; d++)
            Assert.Equal(mean[d], windows.Average(x => x.Embedding[d]), 1e-6);

        var overlapping = windowed.EmbedFileWindows(wav, hopSeconds: w / 2);
        Assert.Equal(8, overlapping.Count);   // (473 frames - 96) / 48 + 1
        Assert.Equal(w / 2, overlapping[1].StartSeconds, 9);
        Assert.Equal(windows[1].Embedding, overlapping[2].Embedding);
        Assert.Throws<ArgumentOutOfRangeException>(() => windowed.EmbedFileWindows(wav, hopSeconds: 3.0));
        Assert.Throws<InvalidOperationException>(() => windowed.EmbedFile(wav));
        Assert.Throws<ArgumentException>(() => new Microsoft.ML.MLContext().Transforms.CoalaEmbed(new CoalaEmbedOptions { ModelPath = model, Pooling = CoalaPooling.None }));
    }

    private static double[] ReadStarts(string file)
    {
        return Read().GetAwaiter().GetResult();
        async Task<double[]> Read()
        {
            await using var reader = await ParquetReader.CreateAsync(file);
            Assert.Equal(["path", "start_s", "end_s", "embedding"], reader.Schema.Fields.Select(x => x.Name));
            var group = reader.OpenRowGroupReader(0);
            var starts = new double[group.RowCount];
            await group.ReadAsync((DataField)reader.Schema.Fields[1], starts.AsMemory());
            return starts;
        }
    }

    [Fact]
    public void EmbedWritesOneRowPerWindowToCsvAndParquet()
    {
        string model = TestAssets.RandomModel();
        string dir = TestAssets.TempDir("windows-cli");
        string a = TestAssets.WriteWav(Path.Combine(dir, "a.wav"), TestAssets.Signal(5.0, 22000, seed: 1), 22000);
        TestAssets.WriteWav(Path.Combine(dir, "b.wav"), TestAssets.Signal(1.0, 22000, seed: 2), 22000);
        string csv = Path.Combine(dir, "w.csv");
        var (code, _, err) = TestSupport.CliRunner.Run("embed", dir, "--output", csv, "--model", model, "--pooling", "None", "--hop", "1.117");
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(csv);
        Assert.StartsWith("path,start_s,end_s,e0,", lines[0]);
        using var windowed = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model, Pooling = CoalaPooling.None });
        var expected = windowed.EmbedFileWindows(a, 1.117);
        var rowsA = lines.Skip(1).Where(l => l.StartsWith(a, StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Count, rowsA.Count);
        Assert.Equal(3, expected.Count);   // 5 s: windows at 0, 1.117 and 2.234 s
        var f = rowsA[1].Split(',');
        Assert.Equal(expected[1].StartSeconds, double.Parse(f[1], CultureInfo.InvariantCulture), 5);
        Assert.Equal(expected[1].EndSeconds, double.Parse(f[2], CultureInfo.InvariantCulture), 5);
        Assert.Equal(expected[1].Embedding[7], float.Parse(f[3 + 7], CultureInfo.InvariantCulture));
        Assert.Equal(1 + 3 + 1, lines.Length);   // b.wav (1 s) is one zero-padded window

        string parquet = Path.Combine(dir, "w.parquet");
        (code, _, err) = TestSupport.CliRunner.Run("embed", dir, "--output", parquet, "--model", model, "--pooling", "None");
        Assert.True(code == 0, err);
        var starts = ReadStarts(parquet);
        Assert.Equal(3, starts.Length);   // a.wav: two windows; b.wav: one
        Assert.Equal(0, starts[0], 6);
        Assert.Equal(windowed.WindowSeconds, starts[1], 6);
        Assert.Equal(0, starts[2], 6);

        (code, _, err) = TestSupport.CliRunner.Run("embed", dir, "--output", Path.Combine(dir, "x.csv"), "--model", model, "--hop", "1");
        Assert.Equal(1, code);
        Assert.Contains("--hop goes with --pooling None", err);
        (code, _, err) = TestSupport.CliRunner.Run("embed", dir, "--output", Path.Combine(dir, "y.csv"), "--model", model, "--pooling", "None", "--hop", "9");
        Assert.Equal(1, code);
        Assert.Contains("--hop 9", err);
    }
}
