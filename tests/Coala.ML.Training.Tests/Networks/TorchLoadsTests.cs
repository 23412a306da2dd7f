using TorchSharp;
using static TorchSharp.torch;

namespace Coala.ML.Training.Tests.Networks;

/// <summary>TorchSharp's native library loads (the GLIBCXX_3.4.32 build fix works) and computes.</summary>
public class TorchLoadsTests
{
    [Fact]
    public void CreatesATensorAndAddsOnCpu()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = a + 1;
        Assert.Equal(new float[] { 2, 3, 4 }, b.data<float>().ToArray());
    }
}
