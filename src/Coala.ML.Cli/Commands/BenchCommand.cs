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
        var c = new Command("bench", "Measure frontend speed and embedding throughput on this machine.") { model, clips, seconds, rate };
        c.SetAction(r => Run(r.GetValue(model), r.GetValue(clips), r.GetValue(seconds), r.GetValue(rate)));
        return c;
    }

    private static int Run(string? modelPath, int clips, double seconds, int rate)
    {
        var dir = Directory.CreateTempSubdirectory("coala-bench-").FullName;
        try
        {
            string source;
            if (modelPath is null && !File.Exists(ModelLocator.DefaultModelPath))
            {
                modelPath = Path.Combine(dir, "random.onnx");
                OnnxEncoderWriter.Write(modelPath, EncoderWeights.Random(1), FrontendSettings.Default, MinMaxScaler.Identity(FrontendSettings.Default.MelBands));
                source = "random weights (no default model installed; speed does not depend on weights)";
            }
            else source = modelPath ?? ModelLocator.DefaultModelPath;

            var model = CoalaModel.Load(ModelLocator.Resolve(modelPath));
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

            // Decode + resample + frontend, one thread.
            var patches = new PatchSource(fs);
            sw.Restart();
            foreach (var f in files) patches.FromFile(f, out _);
            double prepRt = clips * seconds / sw.Elapsed.TotalSeconds;

            // Encoder alone: one clip's patches per run.
            var clipPatches = frontend.EmbeddingPatches(atRate, out int clipPatchCount);
            using var session = new EncoderSession(model);
            session.Embed(clipPatches, clipPatchCount, withStd: false);
            sw.Restart();
            reps = 0;
            while (sw.Elapsed.TotalSeconds < 3) { session.Embed(clipPatches, clipPatchCount, withStd: false); reps++; }
            double encoderPatches = reps * clipPatchCount / sw.Elapsed.TotalSeconds;

            using var embedder = new CoalaEmbedder(new CoalaEmbedOptions { ModelPath = model.Path });
            embedder.EmbedFile(files[0]);
            sw.Restart();
            foreach (var f in files) embedder.EmbedFile(f);
            double serial = clips / sw.Elapsed.TotalSeconds;
            sw.Restart();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f => embedder.EmbedFile(f));
            double parallel = clips / sw.Elapsed.TotalSeconds;

            int patchesPerClip = (int)((1 + (long)(seconds * fs.SampleRate) / fs.HopLength) / fs.PatchFrames);
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| frontend (log-mel + patches), one thread | {feRt:F0} x real time |");
            Console.WriteLine($"| decode + resample + frontend, one thread | {prepRt:F0} x real time |");
            Console.WriteLine($"| encoder alone (ONNX Runtime CPU), {clipPatchCount} patches per run | {encoderPatches:F0} patches/s |");
            Console.WriteLine($"| end to end, one clip per encoder run, serial | {serial:F2} clips/s ({serial * seconds:F0} x real time, {serial * patchesPerClip:F0} patches/s) |");
            Console.WriteLine($"| end to end, {Environment.ProcessorCount} files in parallel | {parallel:F2} clips/s ({parallel * seconds:F0} x real time) |");
            Console.WriteLine($"| peak working set | {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB |");
            return 0;
        }
        catch (CoalaException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
