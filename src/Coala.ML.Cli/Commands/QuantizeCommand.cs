using System.CommandLine;
using System.Diagnostics;
using Coala.ML.Export;
using Coala.ML.IO;
using Coala.ML.Model;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// <c>coala quantize</c>: an fp32 encoder to an int8 one (QLinearConv blocks; frontend, scaler, pooling and metadata
/// kept), with activation ranges calibrated on a folder of audio through the model's own frontend.
/// </summary>
internal static class QuantizeCommand
{
    /// <summary>Calibration files whose fp32 and int8 embeddings are compared after writing (the printed check).</summary>
    private const int CheckFiles = 20;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "fp32 encoder to quantize (an ONNX model written by coala export).", Required = true };
        var calibration = new Option<string>("--calibration")
        {
            Description = "Folder of audio like the audio to embed (subfolders included): its patches set the int8 activation ranges.", Required = true,
        };
        var output = new Option<string>("--output", "--out", "-o") { Description = "int8 ONNX model to write (e.g. model.int8.onnx); never the input model.", Required = true };
        var maxPatches = new Option<int>("--max-patches")
        {
            Description = "Most patches to calibrate on (files in a fixed shuffled order until this many).", DefaultValueFactory = _ => EncoderQuantizer.DefaultMaxPatches,
        };
        var c = new Command("quantize", "Write the int8 version of an encoder: per-channel int8 weights (BatchNorm folded), uint8 activations calibrated on audio.")
        {
            model, calibration, output, maxPatches,
        };
        c.SetAction(r => Run(r.GetValue(model)!, r.GetValue(calibration)!, r.GetValue(output)!, r.GetValue(maxPatches)));
        return c;
    }

    private static int Run(string modelPath, string calibration, string output, int maxPatches)
    {
        if (maxPatches < 1) return CliError.Fail("quantize", $"--max-patches {maxPatches}: expected 1 or more");
        var source = CoalaModel.Load(modelPath);
        var target = FileStatus.Of(output);
        if (target.Kind == FileKind.Directory) return CliError.Fail("quantize", $"the output {output} is a folder; name the model file to write");
        if (target.Kind == FileKind.Regular && FileStatus.Of(modelPath).SameAs(target))
            return CliError.Fail("quantize", $"the output {output} is the input model; refusing to overwrite it (name another file, e.g. model.int8.onnx)");

        var folder = FileStatus.Of(calibration);
        if (folder.Kind == FileKind.Missing) return CliError.Fail("quantize", $"calibration folder not found: {calibration}");
        if (folder.Kind != FileKind.Directory) return CliError.Fail("quantize", $"--calibration {calibration} is not a folder; give a folder of audio files");
        var failures = new List<(string Path, string Error)>();
        var files = FolderWalker.Files(calibration, recursive: true,
            f => EmbedCommand.AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()), failures);
        foreach (var (p, e) in failures) Console.Error.WriteLine(CliError.Line("quantize", $"note: {p}: {e}"));
        if (files.Count == 0)
            return CliError.Fail("quantize", $"the calibration folder {calibration} holds no audio files ({string.Join(", ", EmbedCommand.AudioExtensions)})");
        if (target.Kind == FileKind.Regular && files.Any(f => FileStatus.Of(f).SameAs(target)))
            return CliError.Fail("quantize", $"the output {output} is a calibration file; refusing to overwrite it");

        var sw = Stopwatch.StartNew();
        var ranges = EncoderQuantizer.Calibrate(source, files, maxPatches);
        foreach (var (p, e) in ranges.Skipped) Console.Error.WriteLine(CliError.Line("quantize", $"note: skipped {p}: {e}"));
        byte[] bytes = EncoderQuantizer.Quantize(source, ranges, output);
        AtomicFile.WriteAllBytes(output, bytes, "the model");
        Console.WriteLine($"calibrated on {ranges.Patches} patches of {ranges.Files} file(s) in {sw.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"wrote {output} ({bytes.Length / 1024} KiB; {Path.GetFileName(modelPath)} is {new FileInfo(modelPath).Length / 1024} KiB)");

        // A check the user sees: fp32 against int8 on a few calibration files (the mean embedding).
        var mean = new CoalaEmbedderOptions { Pooling = CoalaPooling.Mean };
        using var fp32 = new CoalaEmbedder(source, mean);
        using var int8 = new CoalaEmbedder(CoalaModel.Load(output), mean);
        var cosines = new List<double>();
        foreach (var f in files.Where(f => !ranges.Skipped.Any(s => s.Path == f)).Take(CheckFiles))
            cosines.Add(CoalaTagIndex.Cosine(fp32.EmbedFile(f), int8.EmbedFile(f)));
        if (cosines.Count > 0)
            Console.WriteLine($"cosine fp32 vs int8 on {cosines.Count} calibration file(s): min {cosines.Min():F4}, mean {cosines.Average():F4}");
        return 0;
    }
}
