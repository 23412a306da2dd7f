using Coala.ML.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Coala.ML.Training.Tests.Losses;

/// <summary>The losses against values computed here by plain loops over the reference formulas.</summary>
public class LossTests
{
    [Fact]
    public void GeneralizedKullbackLeiblerSumsTheLastAxisAndAveragesTheRest()
    {
        // [2, 1, 2, 3]: sum over 3, mean over 2*1*2 = 4 rows.
        float[] y = [0.1f, 0.5f, 0.9f, 0f, 1f, 0.3f, 0.2f, 0.2f, 0.7f, 0.05f, 0.6f, 0.4f];
        float[] yh = [0.2f, 0.4f, 0.8f, 0.1f, 0.9f, 0.3f, 0.25f, 0.1f, 0.6f, 0.5f, 0.5f, 0.45f];
        double expected = 0;
        for (int r = 0; r < 4; r++)
        {
            double row = 0;
            for (int c = 0; c < 3; c++)
            {
                double a = y[r * 3 + c], b = yh[r * 3 + c];
                row += a * (Math.Log(a + 1e-5) - Math.Log(b + 1e-5)) + (b - a);
            }
            expected += row / 4;
        }
        using var scope = NewDisposeScope();
        var loss = CoalaLosses.GeneralizedKullbackLeibler(tensor(yh).view(2, 1, 2, 3), tensor(y).view(2, 1, 2, 3)).item<float>();
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void BinaryCrossEntropyIsTheMean()
    {
        float[] y = [1, 0, 0, 1, 1, 0];
        float[] p = [0.9f, 0.2f, 0.4f, 0.6f, 0.3f, 0.01f];
        double expected = 0;
        for (int i = 0; i < 6; i++) expected -= (y[i] * Math.Log(p[i]) + (1 - y[i]) * Math.Log(1 - p[i])) / 6;
        using var scope = NewDisposeScope();
        Assert.Equal(expected, CoalaLosses.BinaryCrossEntropy(tensor(p).view(2, 3), tensor(y).view(2, 3)).item<float>(), 5);
    }

    [Fact]
    public void ContrastiveLossMatchesTheNtXentFormula()
    {
        // N = 2 pairs, D = 3.
        double[][] za = [[1, 0, 2], [0.5, -1, 0.3]];
        double[][] zt = [[0.8, 0.1, 1.5], [-0.2, -0.9, 0.7]];
        const double t = 0.1;
        double[][] z = [.. za, .. zt];
        int m = 4, n = 2;
        var s = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double dot = 0, ni = 0, nj = 0;
                for (int d = 0; d < 3; d++) { dot += z[i][d] * z[j][d]; ni += z[i][d] * z[i][d]; nj += z[j][d] * z[j][d]; }
                s[i, j] = i == j ? 0 : Math.Exp(dot / Math.Sqrt(ni * nj) / t);
            }
        double expected = 0;
        for (int i = 0; i < m; i++)
        {
            double denom = 0;
            for (int j = 0; j < m; j++) denom += s[i, j];
            int pos = i < n ? i + n : i - n;
            expected += -Math.Log(s[i, pos] / denom + 1e-5) / m;
        }
        using var scope = NewDisposeScope();
        var ta = tensor(za.SelectMany(r => r).Select(v => (float)v).ToArray()).view(2, 3);
        var tt = tensor(zt.SelectMany(r => r).Select(v => (float)v).ToArray()).view(2, 3);
        double actual = CoalaLosses.Contrastive(ta, tt, t).item<float>();
        Assert.Equal(expected, actual, 4);
        Assert.True(expected > 0.01, "test vectors must give a non-trivial loss");
    }

    [Fact]
    public void ContrastiveLossIsLowForAlignedPairsAndHighForSwappedOnes()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 0, 0, 1 }).view(2, 2);
        var swapped = tensor(new float[] { 0, 1, 1, 0 }).view(2, 2);
        Assert.True(CoalaLosses.Contrastive(a, a, 0.1).item<float>() < 0.01);
        Assert.True(CoalaLosses.Contrastive(a, swapped, 0.1).item<float>() > 5);
    }
}
