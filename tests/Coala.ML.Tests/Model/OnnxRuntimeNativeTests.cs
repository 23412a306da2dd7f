using Coala.ML.Model;

namespace Coala.ML.Tests.Model;

/// <summary>An application with only the managed ONNX Runtime gets a CoalaException that names the package to add.</summary>
public class OnnxRuntimeNativeTests
{
    [Fact]
    public void TheNativeRuntimeLoadsHere() => OnnxRuntimeNative.EnsureLoaded(null);

    [Fact]
    public void AMissingNativeLibraryNamesThePackagesToAdd()
    {
        // What ONNX Runtime's managed package throws when no native package is referenced.
        var thrown = new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods",
            new DllNotFoundException("Unable to load shared library 'onnxruntime' or one of its dependencies.\n/app/libonnxruntime.so: cannot open"));
        var e = OnnxRuntimeNative.Describe(thrown, "/app/CoalaModels/coala-ec.onnx");
        Assert.Equal("/app/CoalaModels/coala-ec.onnx", e.FilePath);
        Assert.Contains("not installed", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime (CPU)", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu (CUDA)", e.Message);
        Assert.Contains("Unable to load shared library 'onnxruntime'", e.Message);
        Assert.DoesNotContain("cannot open", e.Message);
        Assert.Same(thrown, e.InnerException);
    }

    [Fact]
    public void AMismatchedNativeLibraryIsNamedAsSuch()
    {
        var e = OnnxRuntimeNative.Describe(new EntryPointNotFoundException("OrtGetApiBase"), null);
        Assert.Null(e.FilePath);
        Assert.Contains("cannot start (OrtGetApiBase)", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", e.Message);
    }
}
