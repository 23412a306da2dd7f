namespace Coala.ML.Model;

/// <summary>
/// Finds the model file: an explicit path, else the default model installed beside the application as
/// <c>CoalaModels/coala-ec.onnx</c> (the Coala.ML package and project copy it there at build and publish).
/// </summary>
public static class ModelLocator
{
    /// <summary>Folder, beside the application, that holds the default model.</summary>
    public const string DefaultModelFolder = "CoalaModels";

    /// <summary>File name of the default (E-C) encoder, looked up in <c>CoalaModels/</c> beside the application.</summary>
    public const string DefaultModelFileName = "coala-ec.onnx";

    /// <summary>Where the default model is expected: <c>AppContext.BaseDirectory/CoalaModels/coala-ec.onnx</c>.</summary>
    public static string DefaultModelPath => DefaultModelPathIn(AppContext.BaseDirectory);

    /// <summary>Where the default model is expected for an application in <paramref name="baseDirectory"/>.</summary>
    public static string DefaultModelPathIn(string baseDirectory) =>
        Path.Combine(baseDirectory, DefaultModelFolder, DefaultModelFileName);

    /// <summary>The explicit <paramref name="modelPath"/>, else the default model beside the application.</summary>
    /// <exception cref="CoalaException">No path was given and the default model is not installed.</exception>
    public static string Resolve(string? modelPath) => Resolve(modelPath, AppContext.BaseDirectory);

    /// <summary>As <see cref="Resolve(string?)"/>, with the default model looked up under <paramref name="baseDirectory"/>.</summary>
    internal static string Resolve(string? modelPath, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(modelPath)) return modelPath;
        var path = DefaultModelPathIn(baseDirectory);
        if (!File.Exists(path))
            throw new CoalaException(
                "no model path was given and no default model is installed (the Coala.ML package copies it to " +
                $"{DefaultModelFolder}/{DefaultModelFileName} beside the application at build and publish, unless " +
                "CoalaCopyDefaultModel is false); pass a Coala.ML ONNX encoder (CoalaEmbedOptions.ModelPath, or " +
                "--model on the command line)", path);
        return path;
    }
}
