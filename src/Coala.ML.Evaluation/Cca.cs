using MathNet.Numerics.LinearAlgebra;

namespace Coala.ML.Evaluation;

/// <summary>Canonical correlation analysis as SVCCA's <c>get_cca_similarity</c> computes it (see <see cref="CcaSide"/>).</summary>
public static class Cca
{
    /// <summary>The epsilon the COALA reference passes to SVCCA.</summary>
    public const double ReferenceEpsilon = 1e-20;

    /// <summary>
    /// All canonical correlations of X (n × p) and Y (n × q), largest first: the singular values of
    /// Σxx^-½ Σxy Σyy^-½ (min(p', q') of them, p' and q' the variables kept). Fitted and evaluated on the same rows,
    /// as the reference does (no held-out part).
    /// </summary>
    public static double[] CanonicalCorrelations(CcaSide x, CcaSide y)
    {
        if (x.Observations != y.Observations)
            throw new CoalaException($"CCA sides have {x.Observations} and {y.Observations} observations");
        if (x.Kept == 0 || y.Kept == 0) return [];
        var m = x.Whitened.TransposeThisAndMultiply(y.Whitened) / (x.Observations - 1);
        var s = m.Svd(computeVectors: false).S.Select(Math.Abs).ToArray();
        Array.Sort(s, (a, b) => b.CompareTo(a));
        return s;
    }

    /// <inheritdoc cref="CanonicalCorrelations(CcaSide, CcaSide)"/>
    public static double[] CanonicalCorrelations(Matrix<double> x, Matrix<double> y, double epsilon = ReferenceEpsilon)
        => CanonicalCorrelations(CcaSide.Fit(x, epsilon), CcaSide.Fit(y, epsilon));

    /// <summary>
    /// The reference's score: <c>np.mean(results["cca_coef1"])</c>, the mean of all canonical correlations
    /// (0 when a side has no non-constant variable, as SVCCA's zero dict).
    /// </summary>
    public static double Score(CcaSide x, CcaSide y)
    {
        var s = CanonicalCorrelations(x, y);
        return s.Length == 0 ? 0 : s.Average();
    }

    /// <summary>
    /// Projection of the centred <paramref name="x"/> on its <paramref name="components"/> leading principal axes
    /// (n × components). Not in the reference: lets CCA run on fewer clips than the embedding has dimensions.
    /// </summary>
    public static Matrix<double> PrincipalComponents(Matrix<double> x, int components)
    {
        int n = x.RowCount, p = x.ColumnCount;
        if (components < 1 || components > p || components >= n)
            throw new CoalaException($"cannot keep {components} principal components of {n} observations of {p} variables (need 1 <= k <= {Math.Min(p, n - 1)})");
        var centred = x.Clone();
        for (int j = 0; j < p; j++)
        {
            var col = centred.Column(j);
            centred.SetColumn(j, col - col.Average());
        }
        // The leading right singular vectors of the centred data (= eigenvectors of the covariance), via the smaller Gram matrix.
        if (n < p)
        {
            var evd = (centred * centred.Transpose()).Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, n).OrderByDescending(i => evd.EigenValues[i].Real).Take(components).ToArray();
            // U_k Σ_k: scores are eigenvectors of X Xᵀ times the singular values.
            return Matrix<double>.Build.Dense(n, components, (i, k) =>
                evd.EigenVectors[i, order[k]] * Math.Sqrt(Math.Max(0, evd.EigenValues[order[k]].Real)));
        }
        else
        {
            var evd = centred.TransposeThisAndMultiply(centred).Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, p).OrderByDescending(i => evd.EigenValues[i].Real).Take(components).ToArray();
            var axes = Matrix<double>.Build.Dense(p, components, (i, k) => evd.EigenVectors[i, order[k]]);
            return centred * axes;
        }
    }
}
