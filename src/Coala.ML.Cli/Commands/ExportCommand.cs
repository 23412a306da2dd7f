using System.CommandLine;
using Coala.ML.Training.Export;
using Coala.ML.Training.Training;

namespace Coala.ML.Cli.Commands;

/// <summary><c>coala export</c>: a training checkpoint's audio encoder to a self-contained ONNX model.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<FileSystemInfo>("--checkpoint")
        {
            Description = $"Checkpoint file, or a run folder (uses its {TrainingCheckpoint.FileName}).", Required = true,
        };
        var output = new Option<FileInfo>("--output") { Description = "ONNX model to write (e.g. model.onnx).", Required = true };
        var c = new Command("export", "Export the audio encoder of a training checkpoint to ONNX (input coala_logmel, outputs coala_mean / coala_std).");
        c.Options.Add(checkpoint);
        c.Options.Add(output);
        c.SetAction(parse =>
        {
            try
            {
                string path = parse.GetValue(checkpoint)!.FullName;
                if (Directory.Exists(path)) path = Path.Combine(path, TrainingCheckpoint.FileName);
                string onnx = parse.GetValue(output)!.FullName;
                CheckpointExporter.Export(path, onnx);
                Console.WriteLine($"wrote {onnx}");
                return 0;
            }
            catch (CoalaException e)
            {
                Console.Error.WriteLine($"coala export: {e.Message}");
                return 1;
            }
        });
        return c;
    }
}
