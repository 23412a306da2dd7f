using System.CommandLine;
using System.Diagnostics;
using Coala.ML.Audio;
using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// <c>coala bench</c>: frontend speed (x real time) and end-to-end embedding throughput (clips/s, one clip per
/// encoder run) on generated 10 s clips. A benchmark to report, not a test.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Encoder to time (default: installed model, else random weights: same speed)" };
        var clips = new Option<int>("--clips") { Description = "Number of 10 s clips", DefaultValueFactory = _ => 40 };
        var seconds = new Option<double>("--seconds") { Description = "Clip length in seconds", DefaultValueFactory = _ => 10 };
        var rate = new Option<int>("--rate") { Description = "Sample rate of the generated WAV files (resampled to the model's rate)", DefaultValueFactory = _ => 44100 };
        var longFile = new Option<bool>("--long") { Description = "Instead: stream-embed one long generated file (44.1 kHz 16-bit stereo WAV, written to a temp file and deleted after) and report time and peak RSS" };
        var longMinutes = new Option<double>("--long-minutes") { Description = "Length of the --long file in minutes", DefaultValueFactory = _ => 60 };
        var compare = new Option<bool>("--compare") { Description = "With --long: afterwards also embed the file one-shot (whole file in memory) and report the largest difference" };
        var c = new Command("bench", "Measure frontend speed and embedding throughput on this machine.") { model, clips, seconds, rate, longFile, longMinutes, compare };
        c.SetAction(r => r.GetValue(longFile)
            ? RunLong(r.GetValue(model), r.GetValue(longMinutes), r.GetValue(compare))
            : Run(r.GetValue(model), r.GetValue(clips), r.GetValue(seconds), r.GetValue(rate)));
        return c;
    }

    /// <summary>Resolves the model to time: the given or installed one, else random weights written to <paramref name="dir"/>.</summary>
    private static (string Path, string Description) BenchModel(string? modelPath, string dir)
    {
        if (modelPath is null && !File.Exists(ModelLocator.DefaultModelPath))
        {
            modelPath = Path.Combine(dir, "random.onnx");
            CoalaModelWriter.WriteEncoder(modelPath, EncoderWeights.Random(1), FrontendSettings.Default, MinMaxScaler.Identity(FrontendSettings.Default.MelBands));
            return (modelPath, "random weights (no default model installed; speed does not depend on weights)");
        }
        return (ModelLocator.Resolve(modelPath), modelPath ?? ModelLocator.DefaultModelPath);
    }

    /// <summary>
    /// <c>--long</c>: writes a long 44.1 kHz 16-bit stereo WAV piece by piece, embeds it through the streaming file
    /// path (<see cref="CoalaEmbedder.EmbedFile"/>) and reports the time and the process's peak resident set
    /// (VmHWM of /proc/self/status, so it includes the runtime and ONNX Runtime).
    /// </summary>
    private static int RunLong(string? modelPath, double minutes, bool compare)
    {
        if (!double.IsFinite(minutes) || minutes <= 0 || minutes > 24 * 60)
            return CliError.Fail("bench", $"--long-minutes {minutes}: expected 0 < minutes <= 1440");
        return InTempFolder("coala-bench-long-", dir =>
        {
            var (path, description) = BenchModel(modelPath, dir);
            const int rate = 44100;
            long frames = (long)(minutes * 60 * rate);
            string wav = Path.Combine(dir, "long.wav");
            var sw = Stopwatch.StartNew();
            WriteLongWav(wav, frames, rate);
            double writeSeconds = sw.Elapsed.TotalSeconds;
            long bytes = new FileInfo(wav).Length;
            Console.WriteLine($"coala bench --long: {minutes:0.##} min, WAV 16-bit stereo at {rate} Hz, {bytes / 1e6:F0} MB (written in {writeSeconds:F1} s); model: {description}");
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            long hwmBefore = PeakRssKiB();

            using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = path, Pooling = CoalaPooling.MeanAndStd });
            sw.Restart();
            var streamed = embedder.EmbedFile(wav);
            double embedSeconds = sw.Elapsed.TotalSeconds;
            long hwm = PeakRssKiB();

            var fs = CoalaModel.Load(path).Frontend;
            long patches = fs.PatchCount((long)Math.Round(frames * (double)fs.SampleRate / rate));
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| streaming embed (decode, resample, frontend, encoder in runs of {CoalaEmbedder.PatchesPerRun} patches) | {embedSeconds:F1} s ({minutes * 60 / embedSeconds:F0} x real time, {patches} patches, {patches / embedSeconds:F0} patches/s) |");
            Console.WriteLine($"| peak RSS (VmHWM) after writing the file, before embedding | {hwmBefore / 1024.0:F0} MiB |");
            Console.WriteLine($"| peak RSS (VmHWM) of the whole process after the streaming embed | {hwm / 1024.0:F0} MiB |");

            if (compare)
            {
                // One-shot: the whole file decoded into memory, then one encoder run (for checking, not for memory).
                var clip = AudioReader.Read(wav);
                sw.Restart();
                var oneShot = embedder.Embed(clip.Samples, clip.SampleRate, wav);
                double oneShotSeconds = sw.Elapsed.TotalSeconds;
                double maxDiff = 0, maxAbs = 0;
                for (int i = 0; i < oneShot.Length; i++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(oneShot[i] - streamed[i]));
                    maxAbs = Math.Max(maxAbs, Math.Abs(oneShot[i]));
                }
                Console.WriteLine($"| one-shot embed of the same file (samples in memory, one encoder run) | {oneShotSeconds:F1} s, peak RSS then {PeakRssKiB() / 1024.0:F0} MiB |");
                Console.WriteLine($"| largest difference streaming vs one-shot (mean and std, {oneShot.Length} values) | {maxDiff:G3} (relative to the largest value {maxAbs:G3}: {maxDiff / maxAbs:G3}) |");
            }
            return 0;
        });
    }

    /// <summary>Runs <paramref name="bench"/> with a new temporary folder (the generated audio, a random model), deleted after, however it ends.</summary>
    private static int InTempFolder(string prefix, Func<string, int> bench)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        try
        {
            return bench(dir);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { } // a leftover temporary folder is not worth failing the run
        }
    }

    /// <summary>Writes a 16-bit stereo WAV of <paramref name="frames"/> frames piece by piece (tones, a sweep, noise).</summary>
    private static void WriteLongWav(string path, long frames, int rate)
    {
        long dataBytes = frames * 4;
        if (dataBytes > uint.MaxValue - 36)
            throw new CoalaException($"{frames} frames do not fit in a WAV file", path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new BinaryWriter(file);
        w.Write("RIFF"u8); w.Write((uint)(36 + dataBytes)); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)2); w.Write(rate); w.Write(rate * 4); w.Write((short)4); w.Write((short)16);
        w.Write("data"u8); w.Write((uint)dataBytes);
        var rng = new Random(0);
        var block = new byte[1 << 16];
        long f = 0;
        while (f < frames)
        {
            int n = (int)Math.Min(block.Length / 4, frames - f);
            for (int i = 0; i < n; i++, f++)
            {
                double t = (double)f / rate;
                double tone = 110 * (1 + (long)(t / 7) % 12);   // a new note every 7 s
                double sweep = 200 + 3000 * (t % 30) / 30;        // a 30 s sweep
                double l = 0.3 * Math.Sin(2 * Math.PI * tone * t) + 0.05 * (rng.NextDouble() * 2 - 1);
                double r = 0.2 * Math.Sin(2 * Math.PI * sweep * t) + 0.05 * (rng.NextDouble() * 2 - 1);
                System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(4 * i), WavWriter.ToPcm16((float)l));
                System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(4 * i + 2), WavWriter.ToPcm16((float)r));
            }
            w.Write(block, 0, n * 4);
        }
    }

    /// <summary>VmHWM (peak resident set) of this process in KiB from /proc/self/status; 0 where there is none.</summary>
    private static long PeakRssKiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().ToString().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    private static int Run(string? modelPath, int clips, double seconds, int rate)
    {
        if (clips < 1) return CliError.Fail("bench", $"--clips {clips}: expected 1 or more");
        return InTempFolder("coala-bench-", dir =>
        {
            var (resolved, source) = BenchModel(modelPath, dir);
            var model = CoalaModel.Load(resolved);
            var fs = model.Frontend;
            var rng = new Random(0);
            var files = new string[clips];
            for (int i = 0; i < clips; i++)
            {
                var x = new float[(int)(seconds * rate)];
                for (int j = 0; j < x.Length; j++)
                    x[j] = (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 40 * i) * j / rate) + 0.05 * (rng.NextDouble() * 2 - 1));
                files[i] = Path.Combine(dir, $"clip{i}.wav");
                WavWriter.WritePcm16(files[i], x, rate);
            }
            Console.WriteLine($"coala bench: {clips} clips of {seconds} s, WAV 16-bit mono at {rate} Hz; model: {source}");
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");

            // Frontend alone on samples already at the model's rate (warm-up first).
            var atRate = AudioResampler.Resample(AudioReader.Read(files[0]).Samples, rate, fs.SampleRate);
            var frontend = new CoalaFrontend(fs);
            frontend.EmbeddingPatches(atRate, out _);
            var sw = Stopwatch.StartNew();
            int reps = 0;
            while (sw.Elapsed.TotalSeconds < 3) { frontend.EmbeddingPatches(atRate, out _); reps++; }
            double feRt = reps * seconds / sw.Elapsed.TotalSeconds;

            // Decode + resample + frontend (streamed, as for files), one thread.
            var patches = new PatchSource(fs);
            var patchBuffer = new float[64 * fs.MelBands * fs.PatchFrames];
            sw.Restart();
            foreach (var f in files)
            {
                using var stream = patches.OpenFile(f);
                while (stream.Read(patchBuffer) > 0) { }
            }
            double prepRt = clips * seconds / sw.Elapsed.TotalSeconds;

            // Encoder alone: one clip's patches per run.
            var clipPatches = frontend.EmbeddingPatches(atRate, out int clipPatchCount);
            using var embedder = new CoalaEmbedder(model, new CoalaEmbedderOptions { Pooling = CoalaPooling.Mean });
            embedder.EmbedPatches(clipPatches, clipPatchCount);
            sw.Restart();
            reps = 0;
            while (sw.Elapsed.TotalSeconds < 3) { embedder.EmbedPatches(clipPatches, clipPatchCount); reps++; }
            double encoderPatches = reps * clipPatchCount / sw.Elapsed.TotalSeconds;

            embedder.EmbedFile(files[0]);
            sw.Restart();
            foreach (var f in files) embedder.EmbedFile(f);
            double serial = clips / sw.Elapsed.TotalSeconds;
            // Scaling: one core's worth of work (one file at a time, one encoder thread) against all cores (as many
            // files at once, each encoder run on cores / files threads: what `coala embed --threads N` does).
            int cores = Environment.ProcessorCount;
            double OnCores(int parallelFiles)
            {
                using var e = new CoalaEmbedder(model, new CoalaEmbedderOptions { IntraOpNumThreads = Math.Max(1, EmbedCommand.EncoderThreadsFor(parallelFiles)) });
                e.EmbedFile(files[0]);
                var t = Stopwatch.StartNew();
                Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = parallelFiles }, f => e.EmbedFile(f));
                return clips / t.Elapsed.TotalSeconds;
            }
            double oneCore = OnCores(1);
            double parallel = OnCores(cores);

            int patchesPerClip = (int)fs.PatchCount((long)(seconds * fs.SampleRate));
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| frontend (log-mel + patches), one thread | {feRt:F0} x real time |");
            Console.WriteLine($"| decode + resample + frontend, one thread | {prepRt:F0} x real time |");
            Console.WriteLine($"| encoder alone (ONNX Runtime CPU), {clipPatchCount} patches per run | {encoderPatches:F0} patches/s |");
            Console.WriteLine($"| end to end, one clip per encoder run, serial | {serial:F2} clips/s ({serial * seconds:F0} x real time, {serial * patchesPerClip:F0} patches/s) |");
            Console.WriteLine($"| end to end, 1 file at a time, 1 encoder thread (one core) | {oneCore:F2} clips/s ({oneCore * seconds:F0} x real time) |");
            Console.WriteLine($"| end to end, {cores} files in parallel, {Math.Max(1, EmbedCommand.EncoderThreadsFor(cores))} encoder thread(s) each (`coala embed`) | {parallel:F2} clips/s ({parallel * seconds:F0} x real time; {parallel / oneCore:F2}x one core) |");
            Console.WriteLine($"| peak working set | {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB |");
            return 0;
        });
    }
}
