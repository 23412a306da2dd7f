using System.Buffers.Binary;
using Coala.ML.Audio;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Streaming;

/// <summary>
/// The streaming file path (decode, resample, frontend, encoder in runs) against the one-shot path (whole file in
/// memory, one encoder run): patches identical bit for bit, embeddings equal to float rounding.
/// </summary>
public class StreamingEmbedTests
{
    private const double RelativeTolerance = 1e-5;

    /// <summary>Writes a 16-bit stereo WAV piece by piece (a tone on the left, a sweep plus noise on the right).</summary>
    internal static string WriteStereoWav(string path, int frames, int rate, int seed = 0)
    {
        using var file = new FileStream(path, FileMode.Create);
        using var w = new BinaryWriter(file);
        w.Write("RIFF"u8); w.Write(36 + frames * 4); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)2); w.Write(rate); w.Write(rate * 4); w.Write((short)4); w.Write((short)16);
        w.Write("data"u8); w.Write(frames * 4);
        var rng = new Random(seed);
        var block = new byte[4 * 8192];
        for (int f = 0; f < frames;)
        {
            int n = Math.Min(8192, frames - f);
            for (int i = 0; i < n; i++, f++)
            {
                double t = (double)f / rate;
                double l = 0.4 * Math.Sin(2 * Math.PI * (220 + 20 * (int)(t / 5)) * t);
                double r = 0.3 * Math.Sin(2 * Math.PI * (300 * t + 40 * t * t)) + 0.05 * (rng.NextDouble() * 2 - 1);
                BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(4 * i), WavWriter.ToPcm16((float)l));
                BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(4 * i + 2), WavWriter.ToPcm16((float)r));
            }
            w.Write(block, 0, n * 4);
        }
        return path;
    }

    private static float[] ReadAllPatches(PatchStream stream, int chunk, out int count)
    {
        var all = new List<float>();
        var buffer = new float[chunk * stream.PatchValues];
        count = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            Assert.True(n == chunk || stream.Read(buffer) == 0, "only the last read may return fewer patches than asked");
            all.AddRange(buffer.AsSpan(0, n * stream.PatchValues));
            count += n;
            if (n < chunk) break;
        }
        return all.ToArray();
    }

    private static (double MaxDiff, double Relative) Compare(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(float.IsFinite(actual[i]));
            maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
        }
        Assert.True(maxAbs > 0, "the embedding is all zeros: the comparison would prove nothing");
        return (maxDiff, maxDiff / maxAbs);
    }

    private static void AssertSamePatches(string path, FrontendSettings settings, int chunk)
    {
        var source = new PatchSource(settings);
        var clip = AudioReader.Read(path);
        var expected = source.FromSamples(clip.Samples, clip.SampleRate, path, out int expectedCount);
        using var stream = source.OpenFile(path);
        var streamed = ReadAllPatches(stream, chunk, out int count);
        Assert.Equal(expectedCount, count);
        Assert.True(expected.AsSpan().SequenceEqual(streamed), $"{path}: streamed patches differ from the one-shot patches");
        Assert.True(expected.AsSpan().SequenceEqual(source.FromFile(path, out int fromFileCount)), "FromFile differs");
        Assert.Equal(expectedCount, fromFileCount);
    }

    [Fact]
    public void TwoMinuteStereo44kWavStreamsToTheOneShotPatchesAndEmbedding()
    {
        var dir = TestAssets.TempDir("stream-wav");
        var wav = WriteStereoWav(Path.Combine(dir, "two-minutes.wav"), 120 * 44100 + 12_345, 44100);
        var model = TestAssets.RandomModel();
        AssertSamePatches(wav, FrontendSettings.Default, 7);

        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model, Pooling = CoalaPooling.MeanAndStd });
        var clip = AudioReader.Read(wav);
        var oneShot = embedder.Embed(clip.Samples, clip.SampleRate, wav);
        var streamed = embedder.EmbedFile(wav);
        var (maxDiff, relative) = Compare(oneShot, streamed);
        Assert.True(relative <= RelativeTolerance, $"streaming differs from one-shot by {maxDiff} ({relative} relative)");
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "coala-stream-diff.txt"), $"{DateTime.Now:O} 2 min WAV: max diff {maxDiff:G3}, relative {relative:G3}\n");
    }

    [Theory]
    [InlineData("sweep12s_44100_stereo.mp3")]
    [InlineData("sweep12s_44100_stereo.ogg")]
    [InlineData("sine440_44100_mono.mp3")]
    [InlineData("sine440_22050_stereo.ogg")]
    public void CompressedFilesStreamToTheOneShotPatchesAndEmbedding(string fixture)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "audio", fixture);
        AssertSamePatches(path, FrontendSettings.Default, 2);

        var model = CoalaModel.Load(TestAssets.RandomModel());
        using var session = new EncoderSession(model);
        var source = new PatchSource(model.Frontend);
        var clip = AudioReader.Read(path);
        var patches = source.FromSamples(clip.Samples, clip.SampleRate, path, out int count);
        var oneShot = session.Embed(patches, count, withStd: true);
        using var stream = source.OpenFile(path);
        var streamed = session.Embed(stream, withStd: true, chunkPatches: 2);
        var (maxDiff, relative) = Compare(oneShot, streamed);
        Assert.True(relative <= RelativeTolerance, $"{fixture}: streaming differs from one-shot by {maxDiff} ({relative} relative)");
    }

    /// <summary>Sample counts at 22 kHz giving exactly 1 patch, less than one, and patch counts at run boundaries (runs of 4).</summary>
    [Theory]
    [InlineData(30_000, 1)]     // shorter than one patch: zero-padded to one
    [InlineData(48_640, 1)]     // exactly one patch, (96 - 1) * 512 samples
    [InlineData(48_639, 1)]
    [InlineData(196_095, 3)]    // one sample short of four patches
    [InlineData(196_096, 4)]    // exactly one run of four: (4 * 96 - 1) * 512 samples
    [InlineData(245_248, 5)]    // a run of four and one patch
    [InlineData(392_704, 8)]    // exactly two runs
    public void PatchCountsAtRunBoundariesEmbedAsOneShot(int samples, int patches)
    {
        var dir = TestAssets.TempDir("stream-edge");
        var x = TestAssets.Signal(samples / 22000.0 + 1, 22000, seed: samples)[..samples];
        var wav = TestAssets.WriteWav(Path.Combine(dir, $"n{samples}.wav"), x, 22000);

        var model = CoalaModel.Load(TestAssets.RandomModel());
        using var session = new EncoderSession(model);
        var source = new PatchSource(model.Frontend);
        var expected = source.FromSamples(AudioReader.Read(wav).Samples, 22000, wav, out int count);
        Assert.Equal(patches, count);
        AssertSamePatches(wav, model.Frontend, 4);

        var oneShot = session.Embed(expected, count, withStd: true);
        foreach (int run in new[] { 1, 4, 64 })
        {
            using var stream = source.OpenFile(wav);
            var (maxDiff, relative) = Compare(oneShot, session.Embed(stream, withStd: true, chunkPatches: run));
            Assert.True(relative <= RelativeTolerance, $"{samples} samples, runs of {run}: differs by {maxDiff} ({relative} relative)");
        }
        using var meanOnly = source.OpenFile(wav);
        var mean = session.Embed(meanOnly, withStd: false, chunkPatches: 4);
        Assert.Equal(model.EmbeddingDim, mean.Length);
        Assert.True(Compare(oneShot[..model.EmbeddingDim], mean).Relative <= RelativeTolerance);
    }

    [Fact]
    public void AFileThatFailsMidwayIsACoalaExceptionNamingIt()
    {
        var dir = TestAssets.TempDir("stream-bad");
        var wav = WriteStereoWav(Path.Combine(dir, "nan.wav"), 44100 * 5, 44100);
        // Turn it into IEEE float with a NaN in the middle: same sizes (4-byte frames as 1 channel x 32-bit float).
        var bytes = File.ReadAllBytes(wav);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), 3);   // IEEE float
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 1);   // mono
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(34), 32);  // 32-bit
        for (int i = 44; i < bytes.Length; i += 4) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i), 0.1f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(44 + 4 * 150_000), float.NaN);
        File.WriteAllBytes(wav, bytes);

        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = TestAssets.RandomModel() });
        var e = Assert.Throws<CoalaException>(() => embedder.EmbedFile(wav));
        Assert.Equal(wav, e.FilePath);
        Assert.Contains("NaN", e.Message);
    }
}
