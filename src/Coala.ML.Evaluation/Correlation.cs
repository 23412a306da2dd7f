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
