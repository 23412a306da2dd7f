using System.CommandLine;
using Coala.ML.Evaluation;
using Coala.ML.IO;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// <c>coala correlate</c>: the paper's Table 2, canonical correlation between each model's embeddings and acoustic
/// descriptors (MFCC, chroma, spectral centroid and bandwidth: mean, variance, skewness over time) of the clips.
/// </summary>
internal static class CorrelateCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model")
        {
            Description = "A model to analyse, NAME=path.onnx (repeat for several; NAME heads its column).",
            Required = true, AllowMultipleArgumentsPerToken = false,
        };
        var clips = new Option<string>("--clips")
        {
            Description = "A prepared corpus directory (coala prepare; its validation clips are used) or a folder of audio files.",
            Required = true,
        };
        var maxClips = new Option<int?>("--max-clips") { Description = "Use at most N clips, evenly spaced over the list." };
        var pca = new Option<int?>("--pca")
        {
            Description = "Reduce the embeddings to K principal components first (not in the paper; lets CCA run on fewer clips than 1152 + 20).",
        };
        var patch = new Option<string>("--embedding")
        {
            Description = "mean: mean-pooled embedding of all patches (default); max-energy: the highest-energy patch only, as the reference's validation data.",
            DefaultValueFactory = _ => "mean",
        };
        var output = new Option<FileInfo?>("--output", "--out", "-o") { Description = "Also write the markdown table to this file." };
        var c = new Command("correlate", "CCA between model embeddings and acoustic descriptors (paper section 3.3, Table 2), as markdown.");
        foreach (var o in new Option[] { models, clips, maxClips, pca, patch, output }) c.Options.Add(o);
        c.SetAction(parse =>
        {
            var list = parse.GetValue(models)!.Select(ParseModel).ToArray();
            var input = parse.GetValue(patch) switch
            {
                "mean" => EmbeddingInput.MeanPooling,
                "max-energy" => EmbeddingInput.MaxEnergyPatch,
                var other => throw new CoalaException($"--embedding must be mean or max-energy, not '{other}'"),
            };
            var files = CorrelationAnalysis.ResolveClips(parse.GetValue(clips)!, parse.GetValue(maxClips));
            var table = CorrelationAnalysis.Run(list, files, new CorrelationOptions
            {
                Input = input,
                PrincipalComponents = parse.GetValue(pca),
                Log = line => Console.Error.WriteLine($"coala correlate: {line}"),
            });
            string markdown = table.ToMarkdown();
            Console.Write(markdown);
            Console.Error.WriteLine($"coala correlate: {table.Clips} clips, {list.Length} model(s) in {table.Elapsed.TotalSeconds:0.0} s");
            if (parse.GetValue(output) is FileInfo file)
            {
                AtomicFile.WriteAllText(file.FullName, markdown, "the report");
                Console.Error.WriteLine($"coala correlate: wrote {file.FullName}");
            }
            return 0;
        });
        return c;
    }

    /// <summary>NAME=path.onnx; a bare path is named after its file.</summary>
    internal static CorrelationModel ParseModel(string value)
    {
        int eq = value.IndexOf('=');
        if (eq < 0) return new CorrelationModel(Path.GetFileNameWithoutExtension(value), value);
        if (eq == 0 || eq == value.Length - 1) throw new CoalaException($"--model '{value}' is not NAME=path.onnx");
        return new CorrelationModel(value[..eq], value[(eq + 1)..]);
    }
}
