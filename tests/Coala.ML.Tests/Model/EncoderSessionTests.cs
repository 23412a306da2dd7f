using Coala.ML.Model;
using Coala.ML.Tests.Export;
using Xunit.Abstractions;

namespace Coala.ML.Tests.Model;

public class EncoderSessionTests(ITestOutputHelper output)
{
    private static CoalaModel Model() => CoalaModel.FromBytes(TestModels.DefaultModel, "default.onnx");

    [Fact]
    public void GpuRequestFallsBackToCpuOrThrowsWhenFallbackIsOff()
    {
        var model = Model();
        var patches = TestModels.Patches(2, 96, 96, seed: 11);
        using var cpu = new EncoderSession(model);
        Assert.False(cpu.UsesGpu);
        var expected = cpu.Embed(patches, 2, withStd: true);

        bool cudaWorks;
        try
        {
            using var strict = new EncoderSession(model, gpuDeviceId: 0, fallbackToCpu: false);
            Assert.True(strict.UsesGpu);
            cudaWorks = true;
        }
        catch (CoalaException e)
        {
            Assert.Contains("CUDA is unavailable", e.Message);
            Assert.Equal("default.onnx", e.FilePath);
            cudaWorks = false;
        }

        using var session = new EncoderSession(model, gpuDeviceId: 0, fallbackToCpu: true);
        output.WriteLine($"CUDA available: {cudaWorks}; fallback reason: {session.GpuFallbackReason}");
        Assert.Equal(cudaWorks, session.UsesGpu);
        Assert.Equal(cudaWorks, session.GpuFallbackReason is null);
        var got = session.Embed(patches, 2, withStd: true);
        float err = TestModels.MaxAbsDiff(expected, got);
        output.WriteLine($"max |{(cudaWorks ? "GPU" : "fallback CPU")} - CPU| = {err:E2}");
        Assert.True(err < 1e-3f);
    }

    [Fact]
    public void NoGpuOnThisMachineMeansCpu()
    {
        // Skips itself on a machine with a working CUDA runtime; on CPU-only machines the fallback must be used.
        if (File.Exists("/proc/driver/nvidia/version")) return;
        using var session = new EncoderSession(Model(), gpuDeviceId: 0, fallbackToCpu: true);
        Assert.False(session.UsesGpu);
        Assert.NotNull(session.GpuFallbackReason);
        Assert.Throws<CoalaException>(() => new EncoderSession(Model(), gpuDeviceId: 0, fallbackToCpu: false));
    }

    [Fact]
    public void WrongPatchDataIsACoalaException()
    {
        using var session = new EncoderSession(Model(), intraOpThreads: 1);
        var e = Assert.Throws<CoalaException>(() => session.Embed(new float[96 * 96 * 2 - 1], 2, withStd: false));
        Assert.Contains("need 18432", e.Message);
        Assert.Equal("default.onnx", e.FilePath);
        Assert.Throws<CoalaException>(() => session.Embed(new float[96 * 96], 2, withStd: false));
        Assert.Throws<CoalaException>(() => session.Embed([], 0, withStd: false));
        Assert.Throws<CoalaException>(() => session.Embed(null!, 1, withStd: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncoderSession(Model(), intraOpThreads: -1));   // a caller bug, as ML.NET reports them
    }

    [Fact]
    public void ConcurrentCallsGiveTheSameResults()
    {
        using var session = new EncoderSession(Model());
        var inputs = Enumerable.Range(0, 4).Select(i => TestModels.Patches(1 + i % 3, 96, 96, seed: 100 + i)).ToArray();
        var sequential = inputs.Select(x => session.Embed(x, x.Length / (96 * 96), withStd: true)).ToArray();
        var parallel = new float[inputs.Length * 3][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i] = session.Embed(inputs[i % inputs.Length], inputs[i % inputs.Length].Length / (96 * 96), withStd: true));
        for (int i = 0; i < parallel.Length; i++)
            Assert.Equal(sequential[i % inputs.Length], parallel[i]);
    }

    [Fact]
    public void DisposedSessionRefusesWork()
    {
        var session = new EncoderSession(Model());
        session.Dispose();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Embed(new float[96 * 96], 1, withStd: false));
    }
}
