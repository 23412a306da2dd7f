using System.Diagnostics;
using Microsoft.ML;

namespace Coala.ML.Samples;

/// <summary>What both sample consoles do once their data is loaded: train, evaluate, print, plot.</summary>
public static class SampleRun
{
    /// <summary>
    /// The model the samples use: <paramref name="explicitPath"/>, else the <c>COALA_MODEL</c> environment variable,
    /// else null (the library's default model, <c>CoalaModels/coala-ec.onnx</c> beside the application).
    /// </summary>
    public static string? ModelPath(string? explicitPath) =>
        !string.IsNullOrWhiteSpace(explicitPath) ? explicitPath
        : Environment.GetEnvironmentVariable("COALA_MODEL") is { Length: > 0 } env ? env
        : null;

    /// <summary>Fits <see cref="AudioClassification.Pipeline"/> on <paramref name="train"/>, evaluates on <paramref name="test"/>, prints the metrics and writes the two PNGs to <paramref name="outDir"/>.</summary>
    /// <returns>The results.</returns>
    public static ClassificationResult Run(string name, string title, List<AudioExample> train, List<AudioExample> test,
        string? modelPath, string outDir, TextWriter log)
    {
        log.WriteLine($"train: {train.Count} files ({AudioFolders.Describe(train)})");
        log.WriteLine($"test:  {test.Count} files ({AudioFolders.Describe(test)})");
        log.WriteLine($"model: {modelPath ?? "default (CoalaModels/coala-ec.onnx beside the application)"}");
        var ml = new MLContext(seed: 1);
        var sw = Stopwatch.StartNew();
        var model = AudioClassification.Pipeline(ml, modelPath).Fit(ml.Data.LoadFromEnumerable(train));
        log.WriteLine($"embedded the training files and trained in {sw.Elapsed.TotalSeconds:F1} s");
        sw.Restart();
        var result = AudioClassification.Evaluate(ml, model, ml.Data.LoadFromEnumerable(test));
        log.WriteLine($"embedded and scored the test files in {sw.Elapsed.TotalSeconds:F1} s");
        log.WriteLine(result);
        var (confusion, map) = Plots.Save(result, outDir, name, title);
        log.WriteLine($"wrote {confusion}");
        log.WriteLine($"wrote {map}");
        return result;
    }

    /// <summary>Value of <c>--name VALUE</c> in <paramref name="args"/>, or null.</summary>
    public static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return null;
        if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
        return args[i + 1];
    }
}
