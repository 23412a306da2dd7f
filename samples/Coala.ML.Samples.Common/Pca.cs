namespace Coala.ML.Samples;

/// <summary>Two-component PCA of standardised vectors by power iteration (enough for a 2-D map of embeddings).</summary>
public static class Pca
{
    /// <summary>
    /// Projects <paramref name="rows"/> (each dimension standardised to zero mean, unit variance; constant
    /// dimensions dropped) onto its first two principal components.
    /// </summary>
    /// <returns>The coordinates and the fraction of the total variance each component explains.</returns>
    public static (double[] X, double[] Y, double Explained1, double Explained2) Project2D(IReadOnlyList<float[]> rows)
    {
        int n = rows.Count;
        if (n < 3) throw new ArgumentException("PCA needs at least 3 vectors", nameof(rows));
        int d = rows[0].Length;
        var mean = new double[d];
        var std = new double[d];
        foreach (var r in rows)
        {
            if (r.Length != d) throw new ArgumentException("vectors of different lengths", nameof(rows));
            for (int j = 0; j < d; j++) mean[j] += r[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        foreach (var r in rows)
            for (int j = 0; j < d; j++) std[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
        var keep = Enumerable.Range(0, d).Where(j => std[j] > 1e-12 * n).ToArray();
        var x = new double[n][];
        for (int i = 0; i < n; i++)
        {
            x[i] = new double[keep.Length];
            for (int k = 0; k < keep.Length; k++)
            {
                int j = keep[k];
                x[i][k] = (rows[i][j] - mean[j]) / Math.Sqrt(std[j] / (n - 1));
            }
        }
        double total = keep.Length; // each standardised dimension has variance 1
        var v1 = TopComponent(x, null);
        var v2 = TopComponent(x, v1);
        var p1 = x.Select(r => Dot(r, v1)).ToArray();
        var p2 = x.Select(r => Dot(r, v2)).ToArray();
        return (p1, p2, p1.Sum(p => p * p) / (n - 1) / total, p2.Sum(p => p * p) / (n - 1) / total);
    }

    private static double[] TopComponent(double[][] x, double[]? orthogonalTo)
    {
        int d = x[0].Length;
        var rng = new Random(12345);
        var v = Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5).ToArray();
        for (int iter = 0; iter < 500; iter++)
        {
            if (orthogonalTo != null) Subtract(v, orthogonalTo, Dot(v, orthogonalTo));
            Normalize(v);
            var next = new double[d];
            foreach (var row in x) Subtract(next, row, -Dot(row, v)); // next += row * (row·v): Xᵀ X v
            if (orthogonalTo != null) Subtract(next, orthogonalTo, Dot(next, orthogonalTo));
            Normalize(next);
            double change = 0;
            for (int j = 0; j < d; j++) change = Math.Max(change, Math.Abs(next[j] - v[j]));
            v = next;
            if (change < 1e-9) break;
        }
        // A deterministic sign: the largest coordinate positive.
        int big = Enumerable.Range(0, d).MaxBy(j => Math.Abs(v[j]));
        if (v[big] < 0) for (int j = 0; j < d; j++) v[j] = -v[j];
        return v;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += a[j] * b[j];
        return s;
    }

    private static void Subtract(double[] a, double[] b, double scale)
    {
        for (int j = 0; j < a.Length; j++) a[j] -= scale * b[j];
    }

    private static void Normalize(double[] v)
    {
        double norm = Math.Sqrt(Dot(v, v));
        if (norm == 0) return;
        for (int j = 0; j < v.Length; j++) v[j] /= norm;
    }
}
