namespace Coala.ML.Model;

/// <summary>Finds the model file: an explicit path, else the default model shipped beside the assembly.</summary>
internal static class ModelLocator
{
    /// <summary>File name of the default (AE-C) encoder, looked up in <c>CoalaModels/</c> beside the application.</summary>
    public const string DefaultModelFileName = "coala-aec.onnx";

    public static string DefaultModelPath =>
        Path.Combine(AppContext.BaseDirectory, "CoalaModels", DefaultModelFileName);

    public static string Resolve(string? modelPath)
    {
        if (!string.IsNullOrWhiteSpace(modelPath)) return modelPath;
        var path = DefaultModelPath;
        if (!File.Exists(path))
            throw new CoalaException(
                "no model path was given and no default model is installed; pass a Coala.ML ONNX encoder " +
                "(CoalaEmbedOptions.ModelPath, or --model on the command line)", path);
        return path;
    }
}
