using Microsoft.ML.OnnxRuntime;

namespace Coala.ML.Model;

/// <summary>
/// Checks, once per process, that ONNX Runtime's native library loads. Coala.ML references only the managed
/// ONNX Runtime (Microsoft.ML.OnnxRuntime.Managed) so that applications choose the CPU or CUDA build; without one
/// of them the first session fails deep inside ONNX Runtime, which this turns into a <see cref="CoalaException"/>
/// that says which package to add.
/// </summary>
internal static class OnnxRuntimeNative
{
    /// <summary>What an application without a native ONNX Runtime must add.</summary>
    public const string Advice =
        "add the package Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu (CUDA) to the application; " +
        "Coala.ML references only the managed ONNX Runtime";

    private static readonly Lazy<Exception?> Failure = new(() =>
    {
        try
        {
            _ = OrtEnv.Instance();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    });

    /// <summary>Throws unless ONNX Runtime's native library loads.</summary>
    /// <param name="modelPath">The model about to be loaded, named in the error.</param>
    /// <exception cref="CoalaException">The native library is missing or cannot start.</exception>
    public static void EnsureLoaded(string? modelPath)
    {
        if (Failure.Value is { } e) throw Describe(e, modelPath);
    }

    /// <summary>The <see cref="CoalaException"/> for a failure to start ONNX Runtime.</summary>
    internal static CoalaException Describe(Exception e, string? modelPath)
    {
        var inner = e;
        while (inner is TypeInitializationException { InnerException: { } next }) inner = next;
        var detail = inner.Message.Split('\n')[0].Trim();
        return inner is DllNotFoundException
            ? new CoalaException($"ONNX Runtime's native library (onnxruntime) is not installed ({detail}); {Advice}", modelPath, e)
            : new CoalaException($"ONNX Runtime's native library cannot start ({detail}); its version must match " +
                                 $"Microsoft.ML.OnnxRuntime.Managed {typeof(OrtEnv).Assembly.GetName().Version}", modelPath, e);
    }
}
