namespace Coala.ML.Training.Data;

/// <summary>A clip found to be a near-duplicate of an earlier kept clip: indexes into the input list and their cosine similarity.</summary>
internal readonly record struct NearDuplicate(int Index, int Of, double Similarity);

/// <summary>
/// Finds near-duplicate clips by their max-energy log-mel patches: two patches are near-duplicates when the cosine
/// similarity of the patches, each with its own mean removed, exceeds a threshold (default
/// <see cref="DefaultThreshold"/>). A gain change is an additive constant in the log domain, so it disappears with
/// the mean; re-encodings, small noise and resampling move the similarity only slightly.
/// Greedy in input order, as exact duplicates: a clip is dropped when it is a near-duplicate of an earlier clip
/// that was kept; it is reported against the most similar such clip.
/// </summary>
/// <remarks>
/// Exact, yet far from all pairs: for unit vectors, cos &gt; t means ‖a − b‖ &lt; r = √(2 − 2t). Each centred,
/// unit-norm patch is projected by an orthonormal block-averaging map (8×8 blocks, scaled by 1/√size) to a short
/// "coarse" vector, and then onto its first principal direction (a 1-D key). Neither projection lengthens a
/// difference, so a near-duplicate pair has keys closer than r and coarse vectors closer than r: the patches are
/// sorted by key, only pairs within r in key are compared coarsely, and only coarse matches are read again in full.
/// Constant patches (no variation after the mean is removed) have no direction and are never near-duplicates.
/// </remarks>
internal static class NearDuplicates
{
    /// <summary>Default similarity above which a clip is a near-duplicate (<c>--near-duplicate-threshold</c>).</summary>
    public const double DefaultThreshold = 0.995;

    /// <summary>Default dynamic range compared, in dB below each patch's loudest value.</summary>
    public const double DefaultDynamicRangeDb = 40;

    /// <summary>Side of the square blocks averaged into the coarse vector.</summary>
    internal const int Block = 8;

    /// <summary>
    /// The near-duplicates among <paramref name="count"/> patches of <paramref name="bands"/>×<paramref name="frames"/>
    /// values each, in increasing <see cref="NearDuplicate.Index"/>. <paramref name="readPatch"/> fills the buffer
    /// with patch i; it is called once per patch in order, then again for candidate pairs only.
    /// </summary>
    /// <param name="count">Number of patches.</param>
    /// <param name="bands">Mel bands (rows) of a patch.</param>
    /// <param name="frames">Frames (columns) of a patch.</param>
    /// <param name="readPatch">Fills the buffer (bands × frames, row-major) with patch i.</param>
    /// <param name="threshold">In (0, 1]; similarity must be strictly greater.</param>
    /// <param name="dynamicRangeDb">Values more than this many dB below the patch's maximum are raised to that floor first.</param>
    public static IReadOnlyList<NearDuplicate> Find(int count, int bands, int frames, Action<int, float[]> readPatch, double threshold = DefaultThreshold,
        double dynamicRangeDb = DefaultDynamicRangeDb)
    {
        if (!(threshold > 0 && threshold <= 1)) throw new CoalaException($"the near-duplicate threshold must be in (0, 1] (got {threshold})");
        if (bands < 1 || frames < 1) throw new CoalaException($"invalid patch shape {bands}x{frames}");
        if (!(dynamicRangeDb > 0)) throw new CoalaException($"the near-duplicate dynamic range must be positive (got {dynamicRangeDb} dB)");
        if (count < 2) return [];

        int rb = (bands + Block - 1) / Block, cf = (frames + Block - 1) / Block, dim = rb * cf;
        int length = bands * frames;
        var coarse = new float[count * dim];
        var mean = new double[count];
        var norm = new double[count];
        var buffer = new float[length];

        // Pass 1: mean, norm and the coarse vector of each centred unit patch.
        for (int i = 0; i < count; i++)
        {
            readPatch(i, buffer);
            Floor(buffer, dynamicRangeDb);
            (mean[i], norm[i]) = MeanAndNorm(buffer);
            if (norm[i] == 0) continue;
            var c = coarse.AsSpan(i * dim, dim);
            for (int b = 0; b < bands; b++)
                for (int t = 0; t < frames; t++)
                    c[(b / Block) * cf + t / Block] += (float)((buffer[b * frames + t] - mean[i]) / norm[i]);
            for (int by = 0; by < rb; by++)
                for (int bx = 0; bx < cf; bx++)
                {
                    int size = (Math.Min(bands, (by + 1) * Block) - by * Block) * (Math.Min(frames, (bx + 1) * Block) - bx * Block);
                    c[by * cf + bx] /= MathF.Sqrt(size);
                }
        }

        // 1-D key: projection on the first principal direction of the coarse vectors (any unit vector is exact;
        // this one spreads the keys most, so fewer pairs fall within r).
        var direction = PrincipalDirection(coarse, count, dim, norm);
        var key = new double[count];
        for (int i = 0; i < count; i++) key[i] = Dot(coarse.AsSpan(i * dim, dim), direction);
        var order = Enumerable.Range(0, count).Where(i => norm[i] > 0).OrderBy(i => key[i]).ThenBy(i => i).ToArray();

        double r2 = 2 - 2 * threshold, r = Math.Sqrt(r2) * (1 + 1e-6) + 1e-9; // a hair of slack for float rounding
        var candidates = new List<(int A, int B)>();
        for (int p = 0; p < order.Length; p++)
        {
            int a = order[p];
            var ca = coarse.AsSpan(a * dim, dim);
            for (int q = p + 1; q < order.Length && key[order[q]] - key[a] <= r; q++)
            {
                int b = order[q];
                if (SquaredDistance(ca, coarse.AsSpan(b * dim, dim)) <= r * r) candidates.Add(a < b ? (a, b) : (b, a));
            }
        }
        if (candidates.Count == 0) return [];

        // Full similarity of the candidates; each patch is read once, centred and normalised.
        var edges = new List<(int Later, int Earlier, double Similarity)>();
        var involved = candidates.SelectMany(c => new[] { c.A, c.B }).Distinct().Order().ToArray();
        var unit = new Dictionary<int, float[]>();
        foreach (int i in involved)
        {
            readPatch(i, buffer);
            Floor(buffer, dynamicRangeDb);
            var u = new float[length];
            for (int k = 0; k < length; k++) u[k] = (float)((buffer[k] - mean[i]) / norm[i]);
            unit[i] = u;
        }
        foreach (var (a, b) in candidates)
        {
            double s = Dot(unit[a], unit[b]);
            if (s > threshold) edges.Add((b, a, s));
        }

        // Greedy in input order: a clip goes when it is similar to an earlier kept clip.
        var removed = new HashSet<int>();
        var result = new List<NearDuplicate>();
        foreach (var group in edges.GroupBy(e => e.Later).OrderBy(g => g.Key))
        {
            var best = group.Where(e => !removed.Contains(e.Earlier)).OrderByDescending(e => e.Similarity).ThenBy(e => e.Earlier).FirstOrDefault();
            if (group.All(e => removed.Contains(e.Earlier))) continue;
            removed.Add(group.Key);
            result.Add(new NearDuplicate(group.Key, best.Earlier, best.Similarity));
        }
        return result;
    }

    /// <summary>
    /// Cosine similarity of two patches after flooring each at its maximum minus <paramref name="dynamicRangeDb"/>
    /// and removing its mean (0 when either is then constant).
    /// </summary>
    public static double Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double dynamicRangeDb = DefaultDynamicRangeDb)
    {
        if (a.Length != b.Length) throw new CoalaException($"patches of different sizes ({a.Length} and {b.Length}) cannot be compared");
        var fa = a.ToArray();
        var fb = b.ToArray();
        Floor(fa, dynamicRangeDb);
        Floor(fb, dynamicRangeDb);
        a = fa;
        b = fb;
        var (ma, na) = MeanAndNorm(a);
        var (mb, nb) = MeanAndNorm(b);
        if (na == 0 || nb == 0) return 0;
        double dot = 0;
        for (int i = 0; i < a.Length; i++) dot += (a[i] - ma) * (b[i] - mb);
        return dot / (na * nb);
    }

    /// <summary>
    /// Raises every value below max − range to that floor (natural log of mel magnitudes: range dB is
    /// range / 20 · ln 10). Gain-invariant, and it hides what differs most between copies of a sound but is
    /// heard least: the noise floor, dither, codec artefacts in empty bands and digital silence.
    /// </summary>
    internal static void Floor(float[] patch, double dynamicRangeDb)
    {
        float max = float.NegativeInfinity;
        foreach (float v in patch) if (v > max) max = v;
        float floor = (float)(max - dynamicRangeDb / 20 * Math.Log(10));
        for (int i = 0; i < patch.Length; i++) if (patch[i] < floor) patch[i] = floor;
    }

    private static (double Mean, double Norm) MeanAndNorm(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += v;
        double mean = sum / x.Length, ss = 0;
        foreach (float v in x) ss += (v - mean) * (v - mean);
        double n = Math.Sqrt(ss);
        return (mean, n > 1e-9 * Math.Max(1, Math.Abs(mean)) * Math.Sqrt(x.Length) ? n : 0);
    }

    private static float[] PrincipalDirection(float[] coarse, int count, int dim, double[] norm)
    {
        var cov = new double[dim * dim];
        var avg = new double[dim];
        int n = 0;
        for (int i = 0; i < count; i++)
        {
            if (norm[i] == 0) continue;
            n++;
            for (int k = 0; k < dim; k++) avg[k] += coarse[i * dim + k];
        }
        for (int k = 0; k < dim; k++) avg[k] /= Math.Max(1, n);
        var d = new double[dim];
        for (int i = 0; i < count; i++)
        {
            if (norm[i] == 0) continue;
            for (int k = 0; k < dim; k++) d[k] = coarse[i * dim + k] - avg[k];
            for (int x = 0; x < dim; x++)
            {
                double dx = d[x];
                if (dx == 0) continue;
                for (int y = 0; y < dim; y++) cov[x * dim + y] += dx * d[y];
            }
        }
        // Power iteration from a fixed start: deterministic.
        var v = new double[dim];
        for (int k = 0; k < dim; k++) v[k] = 1 + 0.01 * k;
        var w = new double[dim];
        for (int it = 0; it < 60; it++)
        {
            for (int x = 0; x < dim; x++)
            {
                double s = 0;
                for (int y = 0; y < dim; y++) s += cov[x * dim + y] * v[y];
                w[x] = s;
            }
            double len = Math.Sqrt(w.Sum(z => z * z));
            if (len == 0) break; // all coarse vectors equal: any direction will do
            for (int k = 0; k < dim; k++) v[k] = w[k] / len;
        }
        double vl = Math.Sqrt(v.Sum(z => z * z));
        return v.Select(z => (float)(z / vl)).ToArray();
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
