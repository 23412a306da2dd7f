namespace Coala.ML.Training.Data;

/// <summary>
/// Multi-label stratified split by iterative stratification (Sechidis, Tsoumakas and Vlahavas 2011,
/// "On the Stratification of Multi-Label Data", Algorithm 1): the rarest label's examples are placed first,
/// each into the subset that most lacks that label, so rare labels appear in every subset in proportion.
/// Seeded and deterministic: the example order is shuffled with <see cref="Random(int)"/> (stable across .NET
/// versions) and ties are broken with the same generator.
/// </summary>
internal static class IterativeStratification
{
    /// <summary>
    /// Splits examples into a training and a validation part.
    /// </summary>
    /// <param name="labels">For each example, the indices of its labels (in 0..<paramref name="labelCount"/>-1).</param>
    /// <param name="labelCount">Number of distinct labels.</param>
    /// <param name="validationShare">Wanted share of the validation part, in (0, 1).</param>
    /// <param name="seed">Random seed.</param>
    /// <returns>Ascending example indices of each part.</returns>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<int[]> labels, int labelCount, double validationShare, int seed)
    {
        if (!(validationShare > 0 && validationShare < 1)) throw new CoalaException($"validation share must be in (0, 1) (got {validationShare})");
        var subset = Assign(labels, labelCount, [1 - validationShare, validationShare], seed);
        var train = new List<int>();
        var val = new List<int>();
        for (int e = 0; e < subset.Length; e++) (subset[e] == 0 ? train : val).Add(e);
        return ([.. train], [.. val]);
    }

    /// <summary>Assigns each example to one of <paramref name="proportions"/>.Length subsets; returns the subset of each example.</summary>
    public static int[] Assign(IReadOnlyList<int[]> labels, int labelCount, double[] proportions, int seed)
    {
        int n = labels.Count, k = proportions.Length;
        var rng = new Random(seed);

        // Visit examples in a seeded random order (as iterstrat shuffles before stratifying).
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var byLabel = new List<int>[labelCount];
        for (int l = 0; l < labelCount; l++) byLabel[l] = [];
        foreach (int e in order)
            foreach (int l in labels[e].Distinct())
            {
                if ((uint)l >= (uint)labelCount) throw new ArgumentOutOfRangeException(nameof(labels), $"example {e} has label {l}, outside 0..{labelCount - 1}");
                byLabel[l].Add(e);
            }

        var remaining = new int[labelCount];
        for (int l = 0; l < labelCount; l++) remaining[l] = byLabel[l].Count;
        var wanted = new double[k];                   // c_j
        var wantedPerLabel = new double[k, labelCount]; // c_j^i
        for (int j = 0; j < k; j++)
        {
            wanted[j] = n * proportions[j];
            for (int l = 0; l < labelCount; l++) wantedPerLabel[j, l] = remaining[l] * proportions[j];
        }

        var subset = new int[n];
        Array.Fill(subset, -1);
        int left = n;
        var ties = new List<int>();

        void Place(int e, int m)
        {
            subset[e] = m;
            left--;
            wanted[m] -= 1;
            foreach (int l in labels[e].Distinct())
            {
                wantedPerLabel[m, l] -= 1;
                remaining[l]--;
            }
        }

        while (left > 0)
        {
            // The label with the fewest (but some) unplaced examples; ties at random.
            int best = int.MaxValue;
            ties.Clear();
            for (int l = 0; l < labelCount; l++)
            {
                if (remaining[l] == 0) continue;
                if (remaining[l] < best) { best = remaining[l]; ties.Clear(); }
                if (remaining[l] == best) ties.Add(l);
            }
            if (ties.Count == 0) break; // only unlabelled examples remain
            int label = ties.Count == 1 ? ties[0] : ties[rng.Next(ties.Count)];

            foreach (int e in byLabel[label])
            {
                if (subset[e] >= 0) continue;
                // The subset wanting this label most; then the one wanting examples most; then at random.
                double top = double.NegativeInfinity;
                ties.Clear();
                for (int j = 0; j < k; j++)
                {
                    double w = wantedPerLabel[j, label];
                    if (w > top + 1e-9) { top = w; ties.Clear(); ties.Add(j); }
                    else if (Math.Abs(w - top) <= 1e-9) ties.Add(j);
                }
                if (ties.Count > 1)
                {
                    double topAll = double.NegativeInfinity;
                    var second = new List<int>();
                    foreach (int j in ties)
                    {
                        if (wanted[j] > topAll + 1e-9) { topAll = wanted[j]; second.Clear(); second.Add(j); }
                        else if (Math.Abs(wanted[j] - topAll) <= 1e-9) second.Add(j);
                    }
                    ties.Clear();
                    ties.AddRange(second);
                }
                Place(e, ties.Count == 1 ? ties[0] : ties[rng.Next(ties.Count)]);
            }
        }

        // Examples without labels: to the subset wanting examples most.
        foreach (int e in order)
        {
            if (subset[e] >= 0) continue;
            int m = 0;
            for (int j = 1; j < k; j++) if (wanted[j] > wanted[m] + 1e-9) m = j;
            Place(e, m);
        }
        return subset;
    }
}
