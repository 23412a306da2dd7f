using ScottPlot;

namespace Coala.ML.Evaluation;

/// <summary>A confusion matrix as a PNG heatmap: rows true classes, columns predictions, cells row-normalised (%).</summary>
public static class ConfusionPlot
{
    public static void Save(string path, int[,] counts, IReadOnlyList<string> labels, string title)
    {
        int n = labels.Count;
        if (counts.GetLength(0) != n || counts.GetLength(1) != n)
            throw new ArgumentException($"confusion matrix is {counts.GetLength(0)}x{counts.GetLength(1)} for {n} labels");
        // Heatmap rows are drawn top to bottom; row 0 = first true class at the top.
        var share = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            double total = 0;
            for (int c = 0; c < n; c++) total += counts[r, c];
            for (int c = 0; c < n; c++) share[r, c] = total > 0 ? 100.0 * counts[r, c] / total : 0;
        }
        var plt = new Plot();
        var hm = plt.Add.Heatmap(share);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.ManualRange = new ScottPlot.Range(0, 100);
        hm.Rectangle = new CoordinateRect(0, n, 0, n);
        var bar = plt.Add.ColorBar(hm);
        bar.Label = "% of true class";

        if (n <= 20)
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++)
                {
                    if (counts[r, c] == 0) continue;
                    var t = plt.Add.Text($"{share[r, c]:0}", c + 0.5, n - r - 0.5);
                    t.LabelAlignment = Alignment.MiddleCenter;
                    t.LabelFontSize = n <= 10 ? 14 : 10;
                    t.LabelFontColor = share[r, c] > 60 ? Colors.Black : Colors.White;
                }

        var centres = Enumerable.Range(0, n).Select(i => i + 0.5).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(centres, labels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(centres, labels.Reverse().ToArray());
        bool rotate = n > 12 || labels.Max(l => l.Length) * n > 60;
        if (rotate)
        {
            plt.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        }
        plt.Axes.SetLimits(0, n, 0, n);
        plt.XLabel("predicted");
        plt.YLabel("true");
        plt.Title(title);
        int size = Math.Clamp(60 * n + 250, 500, 1600);
        plt.SavePng(path, size + 120, size);
    }
}
