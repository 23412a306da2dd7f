using System.CommandLine;
using Coala.ML.Training;

namespace Coala.ML.Cli.Commands;

/// <summary><c>coala export</c>: a training checkpoint's audio encoder to a self-contained ONNX model.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<FileSystemInfo>("--checkpoint")
        {
            Description = $"Checkpoint file, or a run folder (uses its {CoalaTrainer.CheckpointFileName}).", Required = true,
        };
        var output = new Option<FileInfo>("--output", "--out", "-o") { Description = "ONNX model to write (e.g. model.onnx).", Required = true };
        var tags = new Option<bool>("--tags")
        {
            Description = "Also write the tag model <name>.tags.onnx beside the encoder (AE-C and E-C: tag encoder and both contrastive heads, for coala tags / coala search).",
        };
        var c = new Command("export", "Export the audio encoder of a training checkpoint to ONNX (input coala_logmel, outputs coala_mean / coala_std).");
        c.Options.Add(checkpoint);
        c.Options.Add(output);
        c.Options.Add(tags);
        c.SetAction(parse =>
        {
            string path = parse.GetValue(checkpoint)!.FullName;
            string onnx = parse.GetValue(output)!.FullName;
            string? tagModel = CheckpointExporter.Export(path, onnx, parse.GetValue(tags));
            Console.WriteLine($"wrote {onnx}");
            if (tagModel is not null) Console.WriteLine($"wrote {tagModel}");
            return 0;
        });
        return c;
    }
}
