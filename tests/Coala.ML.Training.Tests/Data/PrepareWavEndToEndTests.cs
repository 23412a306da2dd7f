using Coala.ML.Audio;
using Coala.ML.Features;
using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

/// <summary><c>prepare</c> on real WAV files written here (16-bit PCM), with the real decoder and frontend.</summary>
public class PrepareWavEndToEndTests
{
    internal static short[] Tone(double freq, int rate, double seconds, double amp = 0.5, int noiseSeed = -1)
    {
        var rng = noiseSeed >= 0 ? new Random(noiseSeed) : null;
        var s = new short[(int)(rate * seconds)];
        for (int i = 0; i < s.Length; i++)
        {
            double x = rng is null ? amp * Math.Sin(2 * Math.PI * freq * i / rate) : amp * (rng.NextDouble() * 2 - 1);
            s[i] = (short)Math.Round(x * 32767);
        }
        return s;
    }

    private static string MakeLibrary(TempDir dir)
    {
        for (int i = 1; i <= 6; i++)
        {
            File.WriteAllBytes(dir.File($"lib/low/hum_{i:00}.wav"), WavWriter.Pcm16(Tone(100 + 20 * i, 22000, 0.4), 22000));
            File.WriteAllBytes(dir.File($"lib/high/beeps-{i}.wav"), WavWriter.Pcm16(Tone(3000 + 300 * i, 44100, 0.3), 44100));
        }
        for (int i = 1; i <= 4; i++)
            File.WriteAllBytes(dir.File($"lib/noise/hiss{i}.wav"), WavWriter.Pcm16(Tone(0, 16000, 0.5, 0.3, noiseSeed: i), 16000));
        var junk = new byte[3000];
        new Random(5).NextBytes(junk);
        File.WriteAllBytes(dir.File("lib/broken/junk.wav"), junk);
        File.WriteAllBytes(dir.File("lib/quiet/silence.wav"), WavWriter.Pcm16(new short[22000], 22000));
        File.WriteAllBytes(dir.File("lib/tiny/click.wav"), WavWriter.Pcm16([0, 20000, -20000, 100, 0, 0, 0, 0, 0, 0], 22000));
        File.Copy(Path.Combine(dir.Path, "lib/low/hum_01.wav"), dir.File("lib/low/hum_copy.wav"));
        return Path.Combine(dir.Path, "lib");
    }

    [Fact]
    public void PreparesWavFolderDropsBadFilesAndResumes()
    {
        using var dir = new TempDir();
        string lib = MakeLibrary(dir);
        string outDir = Path.Combine(dir.Path, "out");
        var settings = FrontendSettings.Default;
        var real = AudioPatchSource.Create(settings);
        int calls = 0;
        CorpusPreparer Preparer() => new(settings, p => { Interlocked.Increment(ref calls); return real(p); }, AudioPatchSource.ExtractorId);
        var options = new PrepareOptions { Folder = lib, OutputDirectory = outDir, MinCount = 2, Threads = 2, NearDuplicateThreshold = 0 }; // noise with other seeds and tones 20 Hz apart are near-duplicates

        var result = Preparer().Run(options);
        Assert.Equal(20, calls);
        Assert.Equal(16, result.Manifest.Clips);
        Assert.Equal(["beep", "high", "hum", "low", "hiss", "noise"], File.ReadAllLines(Path.Combine(outDir, CorpusFiles.Vocabulary)));
        var dropped = result.Dropped.ToDictionary(d => Path.GetFileName(d.Path));
        Assert.Equal(DropCategory.Unreadable, dropped["junk.wav"].Category);
        Assert.Equal(DropCategory.Silent, dropped["silence.wav"].Category);
        Assert.Equal(DropCategory.TooShort, dropped["click.wav"].Category);
        Assert.Equal(DropCategory.Duplicate, dropped["hum_copy.wav"].Category);
        Assert.Contains("hum_01.wav", dropped["hum_copy.wav"].Reason);
        Assert.Contains(Path.Combine(lib, "broken", "junk.wav"), dropped["junk.wav"].Reason);
        Assert.Equal(4, dropped.Count);

        using (var corpus = PreparedCorpus.Open(outDir))
        {
            Assert.Equal(settings.ToMetadata(), corpus.Frontend.ToMetadata());
            Assert.True(corpus.Validation.Count >= 1);
            // The stored raw patch is exactly the frontend's patch of the decoded file.
            string path = corpus.Train.Paths[0];
            var frontend = new CoalaFrontend(settings);
            var expected = AudioPatchSource.FromClip(AudioReader.Read(path), frontend);
            var raw = new float[96 * 96];
            corpus.ReadRawPatch(0, raw);
            Assert.Equal(expected, raw);
            var scaled = new float[96 * 96];
            corpus.Train.Fill([0], scaled, new float[corpus.Vocabulary.Count]);
            Assert.All(scaled, x => Assert.InRange(x, 0f, 1f));
            Assert.Contains(scaled, x => x > 0.5f);

            // The stored scaler is the frontend's own fit over the training patches only.
            var trainPatches = Enumerable.Range(0, corpus.Train.Count).Select(i => { var p = new float[96 * 96]; corpus.ReadRawPatch(i, p); return p; });
            var fitted = MinMaxScaler.Fit(trainPatches, 96, 96);
            Assert.Equal(fitted.Min, corpus.Scaler.Min);
            Assert.Equal(fitted.Max, corpus.Scaler.Max);
        }

        // Same input and options: a no-op.
        var again = Preparer().Run(options);
        Assert.True(again.UpToDate);
        Assert.Equal(20, calls);

        // Final files lost, cache kept: rebuilt without decoding anything.
        foreach (var f in Directory.GetFiles(outDir).Where(f => !f.EndsWith(CorpusFiles.Cache)))
            File.Delete(f);
        var rebuilt = Preparer().Run(options);
        Assert.False(rebuilt.UpToDate);
        Assert.Equal(20, rebuilt.FromCache);
        Assert.Equal(20, calls);
        Assert.Equal(16, rebuilt.Manifest.Clips);
    }
}
