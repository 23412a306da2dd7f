using Coala.ML.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace Coala.ML.Training.Tests.Evaluation;

/// <summary>CCA (SVCCA semantics) against exact and hand-checked cases.</summary>
public class CorrelationTests
{
    private static Matrix<double> Random(int n, int p, int seed)
    {
        var rng = new Random(seed);
        return Matrix<double>.Build.Dense(n, p, (_, _) => rng.NextDouble() * 2 - 1);
    }

    [Fact]
    public void LinearlyRelatedDataHasCorrelationsOfOne()
    {
        var x = Random(200, 5, 1);
        var y = x * Random(5, 3, 2) + 7;           // an affine image of X
        var r = Cca.CanonicalCorrelations(x, y);
        Assert.Equal(3, r.Length);                 // min(p, q)
        Assert.All(r, v => Assert.Equal(1, v, 6));
    }

    [Fact]
    public void IndependentDataHasSmallCorrelations()
    {
        var r = Cca.CanonicalCorrelations(Random(3000, 3, 3), Random(3000, 2, 4));
        Assert.Equal(2, r.Length);
        Assert.True(r[0] >= r[1]);
        Assert.InRange(r[0], 0, 0.1);
    }

    [Fact]
    public void OneVariableEachIsThePearsonCorrelation()
    {
        // x = 1..5, y = 2 1 4 3 5: deviations (-2 -1 0 1 2), (-1 -2 1 0 2), Σdxdy = 8, Σdx² = Σdy² = 10, r = 0.8.
        var x = Matrix<double>.Build.DenseOfColumnArrays([1.0, 2, 3, 4, 5]);
        var y = Matrix<double>.Build.DenseOfColumnArrays([2.0, 1, 4, 3, 5]);
        Assert.Equal(0.8, Assert.Single(Cca.CanonicalCorrelations(x, y)), 12);
        Assert.Equal(0.8, Assert.Single(Cca.CanonicalCorrelations(x, -3 * y)), 12);   // sign and scale free
    }

    [Fact]
    public void TwoUncorrelatedPredictorsGiveTheMultipleCorrelation()
    {
        // x1 = (1 -1 1 -1), x2 = (1 1 -1 -1) are centred and orthogonal; y = (1 0 0 0) centres to (.75 -.25 -.25 -.25).
        // r1 = r2 = 1 / (2 · √0.75) = 1/√3, so R² = r1² + r2² = 2/3 and the canonical correlation is √(2/3).
        var x = Matrix<double>.Build.DenseOfColumnArrays([1.0, -1, 1, -1], [1.0, 1, -1, -1]);
        var y = Matrix<double>.Build.DenseOfColumnArrays([1.0, 0, 0, 0]);
        Assert.Equal(Math.Sqrt(2.0 / 3), Assert.Single(Cca.CanonicalCorrelations(x, y)), 10);
    }

    [Fact]
    public void ScoreIsTheMeanOfAllCanonicalCorrelations()
    {
        var x = Random(500, 4, 5);
        var noise = Random(500, 2, 6);
        // y1 = x0 exactly (correlation 1), y2 = noise only (correlation ~0).
        var y = Matrix<double>.Build.DenseOfColumnVectors(x.Column(0), noise.Column(0));
        var r = Cca.CanonicalCorrelations(x, y);
        Assert.Equal(1, r[0], 9);
        Assert.InRange(r[1], 0, 0.15);
        Assert.Equal((r[0] + r[1]) / 2, Cca.Score(CcaSide.Fit(x), CcaSide.Fit(y)), 12);
    }

    [Fact]
    public void ColumnScalesDoNotMatter()
    {
        var x = Random(300, 4, 7);
        var y = Random(300, 3, 8) + 0.5 * x.SubMatrix(0, 300, 0, 3);
        var a = Cca.CanonicalCorrelations(x, y);
        var scaled = x.Clone();
        scaled.SetColumn(1, scaled.Column(1) * 1e4);
        scaled.SetColumn(2, scaled.Column(2) * 1e-3 + 100);
        var b = Cca.CanonicalCorrelations(scaled, y);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 8);
        Assert.True(a[0] > 0.5);
    }

    [Fact]
    public void ConstantVariablesAreDroppedAsSvccaDoes()
    {
        var x = Random(100, 3, 9);
        var withConstant = Matrix<double>.Build.DenseOfColumnVectors(x.Column(0), Vector<double>.Build.Dense(100, 4.2), x.Column(1));
        var side = CcaSide.Fit(withConstant);
        Assert.Equal(3, side.Variables);
        Assert.Equal(2, side.Kept);
        var allConstant = CcaSide.Fit(Matrix<double>.Build.Dense(100, 2, 1.0));
        Assert.Equal(0, allConstant.Kept);
        Assert.Equal(0, Cca.Score(CcaSide.Fit(x), allConstant));
    }

    [Fact]
    public void PrincipalComponentsAreUncorrelatedAndOrdered()
    {
        var basis = Random(2, 6, 10);
        var scores = Random(50, 2, 11);
        scores.SetColumn(0, scores.Column(0) * 10);
        var x = scores * basis + Random(50, 6, 12) * 1e-3;       // rank ~2 in 6 dimensions
        foreach (var data in new[] { x, x.SubMatrix(0, 5, 0, 6) })  // n >= p and n < p paths
        {
            var pc = Cca.PrincipalComponents(data, 2);
            Assert.Equal(2, pc.ColumnCount);
            double v0 = pc.Column(0).DotProduct(pc.Column(0)), v1 = pc.Column(1).DotProduct(pc.Column(1));
            Assert.True(v0 > v1);
            Assert.Equal(0, pc.Column(0).DotProduct(pc.Column(1)) / Math.Sqrt(v0 * v1), 6);
        }
        // Both paths give the same component variances.
        var big = Cca.PrincipalComponents(Random(4, 9, 13), 3);
        var viaCov = Cca.PrincipalComponents(Random(4, 9, 13).Transpose().Transpose(), 3);
        for (int k = 0; k < 3; k++) Assert.Equal(big.Column(k).L2Norm(), viaCov.Column(k).L2Norm(), 9);
        Assert.Throws<CoalaException>(() => Cca.PrincipalComponents(x, 50));
    }

    [Fact]
    public void BadInputIsACoalaException()
    {
        var nan = Random(10, 2, 14);
        nan[3, 1] = double.NaN;
        Assert.Throws<CoalaException>(() => CcaSide.Fit(nan));
        Assert.Throws<CoalaException>(() => Cca.CanonicalCorrelations(Random(10, 2, 1), Random(11, 2, 1)));
        Assert.Throws<CoalaException>(() => CcaSide.Fit(Random(1, 2, 1)));
    }
}
