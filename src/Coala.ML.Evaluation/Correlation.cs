using MathNet.Numerics.LinearAlgebra;

namespace Coala.ML.Evaluation;

/// <summary>
/// One side of a CCA (n observations × p variables), centred and whitened once so that it can be paired with many
/// other sides cheaply. Follows SVCCA's <c>cca_core.get_cca_similarity</c> (google/svcca), which the COALA reference
/// (scripts/cca_embeddings_descriptors.py) calls with <c>epsilon=1e-20</c>:
/// covariance with n - 1 (<c>np.cov</c>); variables whose variance divided by the largest variance is below epsilon are
/// dropped (<c>remove_small</c>); the others are standardised (mathematically a no-op for CCA, numerically safer than
/// the reference's division by the largest entry); epsilon is added to the diagonal; the whitening matrix is
/// <c>pinv(Σ)^½</c> with numpy's pinv cutoff (eigenvalues at most 1e-15 × the largest count as zero; slightly negative
/// ones, NaN in the reference, too).
/// </summary>
public sealed class CcaSide
{
    private CcaSide(Matrix<double> whitened, int variables, int kept)
    {
        Whitened = whitened;
        Variables = variables;
        Kept = kept;
    }

    /// <summary>Standardised data times the whitening matrix: n × <see cref="Kept"/>.</summary>
    public Matrix<double> Whitened { get; }
    public int Observations => Whitened.RowCount;
    public int Variables { get; }
    /// <summary>Variables left after dropping the (near-)constant ones.</summary>
    public int Kept { get; }

    /// <summary>Fits a side on <paramref name="data"/> (rows: observations). Needs at least 2 rows of finite values.</summary>
    public static CcaSide Fit(Matrix<double> data, double epsilon = Cca.ReferenceEpsilon)
    {
        int n = data.RowCount, p = data.ColumnCount;
        if (n < 2 || p < 1) throw new CoalaException($"CCA needs at least 2 observations of at least 1 variable, got {n} x {p}");
        if (!(epsilon >= 0) || !double.IsFinite(epsilon)) throw new CoalaException($"invalid CCA epsilon {epsilon}");
        foreach (var value in data.Enumerate())
            if (!double.IsFinite(value)) throw new CoalaException("CCA input holds a NaN or infinite value");

        // Variances as np.cov (n - 1); the largest covariance entry of a covariance matrix is its largest variance.
        var variance = new double[p];
        var centred = data.Clone();
        for (int j = 0; j < p; j++)
        {
            var col = centred.Column(j);
            col -= col.Average();
            centred.SetColumn(j, col);
            variance[j] = col.DotProduct(col) / (n - 1);
        }
        double max = variance.Max();
        var keep = Enumerable.Range(0, p).Where(j => max > 0 && variance[j] / max >= epsilon).ToArray();   // remove_small
        if (keep.Length == 0) return new CcaSide(Matrix<double>.Build.Dense(n, 0), p, 0);   // SVCCA returns zeros

        // Standardise the kept variables: CCA does not depend on their scales, and the covariance becomes a
        // correlation matrix, so variables of very different magnitudes (MFCC 0 vs the others) stay well conditioned.
        var z = Matrix<double>.Build.Dense(n, keep.Length, (i, k) => centred[i, keep[k]] / Math.Sqrt(variance[keep[k]]));
        var cov = z.TransposeThisAndMultiply(z) / (n - 1);
        for (int i = 0; i < keep.Length; i++) cov[i, i] += epsilon;

        var evd = cov.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        double cutoff = 1e-15 * values.Max(Math.Abs);
        var scale = Vector<double>.Build.Dense(values.Length, i => values[i] > cutoff ? 1 / Math.Sqrt(values[i]) : 0);
        var v = evd.EigenVectors;
        var invSqrt = v * Matrix<double>.Build.DenseOfDiagonalVector(scale) * v.Transpose();
        return new CcaSide(z * invSqrt, p, keep.Length);
    }
}

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
