using System.CommandLine;
using Coala.ML.Training;

namespace Coala.ML.Cli.Commands;

/// <summary><c>coala import-reference</c>: the paper's released models from a clone of xavierfav/coala, as Coala.ML ONNX models.</summary>
internal static class ImportReferenceCommand
{
    public static Command Create()
    {
        var repo = new Option<DirectoryInfo>("--repo") { Description = "A clone of https://github.com/xavierfav/coala (saved_models/, scaler_top_1000.pkl, json/).", Required = true };
        var variant = new Option<string>("--variant") { Description = "aec (dual_ae_c, the paper's best), ec (dual_e_c) or cnn.", DefaultValueFactory = _ => "aec" };
        var output = new Option<FileInfo>("--output", "--out", "-o") { Description = "ONNX encoder to write (e.g. coala-paper-aec.onnx); the tag model goes beside it as <name>.tags.onnx.", Required = true };
        var noTags = new Option<bool>("--no-tags") { Description = "Write the audio encoder only (aec and ec otherwise also write the tag model)." };
        var c = new Command("import-reference", "Import the paper's released model (xavierfav/coala, MIT; trained on ~190k Freesound clips) into Coala.ML's ONNX format.");
        foreach (var o in new Option[] { repo, variant, output, noTags }) c.Options.Add(o);
        c.SetAction(parse =>
        {
            var v = CoalaVariants.Parse(parse.GetValue(variant)!);
            var (encoder, tags) = ReferenceImporter.Import(parse.GetValue(repo)!.FullName, v, parse.GetValue(output)!.FullName, !parse.GetValue(noTags));
            Console.WriteLine($"wrote {encoder}");
            if (tags is not null) Console.WriteLine($"wrote {tags}");
            return 0;
        });
        return c;
    }
}
