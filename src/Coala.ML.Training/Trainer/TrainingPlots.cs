using ScottPlot;

namespace Coala.ML.Training;

/// <summary>PNG plots of a run: loss curves, and original-vs-reconstructed spectrograms (AE-C).</summary>
internal static class TrainingPlots
{
    public static void LossCurves(string path, IReadOnlyList<EpochLosses> history)
    {
        var plt = new Plot();
        var colors = new Dictionary<string, Color>
        {
            ["objective"] = Colors.Black, ["audio KL"] = Colors.Blue, ["tag BCE"] = Colors.Green, ["contrastive"] = Colors.Red,
        };
        foreach (var split in new[] { "train", "validation" })
        {
            var rows = history.Where(h => h.Split == split).OrderBy(h => h.Epoch).ToList();
            if (rows.Count == 0) continue;
            foreach (var (label, pick) in new (string, Func<EpochLosses, double>)[]
                     { ("objective", h => h.Objective), ("audio KL", h => h.AudioKl), ("tag BCE", h => h.TagBce), ("contrastive", h => h.Contrastive) })
            {
                var ys = rows.Select(pick).ToArray();
                if (ys.All(double.IsNaN)) continue;
                var s = plt.Add.Scatter(rows.Select(h => (double)h.Epoch).ToArray(), ys);
                s.LegendText = $"{split} {label}";
                s.Color = colors[label];
                s.LinePattern = split == "train" ? LinePattern.Solid : LinePattern.Dashed;
                s.MarkerSize = rows.Count > 30 ? 0 : 4;
            }
        }
        plt.Title("COALA training losses");
        plt.XLabel("epoch");
        plt.YLabel("loss");
        plt.Axes.SetLimitsY(0, double.NaN);
        plt.ShowLegend();
        plt.SavePng(path, 1000, 650);
    }

    /// <summary>Top row originals, bottom row reconstructions, <paramref name="n"/> patches of [bands, frames], low bands at the bottom.</summary>
    public static void Reconstructions(string path, float[] originals, float[] reconstructions, int n, int bands, int frames, int epoch)
    {
        const int gap = 4;
        int width = n * frames + (n - 1) * gap, height = 2 * bands + gap;
        var img = new double[height, width];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++) img[r, c] = double.NaN;
        for (int i = 0; i < n; i++)
            for (int row = 0; row < 2; row++)
            {
                var src = row == 0 ? originals : reconstructions;
                for (int b = 0; b < bands; b++)
                    for (int f = 0; f < frames; f++)
                        img[row * (bands + gap) + (bands - 1 - b), i * (frames + gap) + f] = src[(i * bands + b) * frames + f];
            }
        var plt = new Plot();
        var hm = plt.Add.Heatmap(img);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        plt.Add.ColorBar(hm);
        plt.Title($"epoch {epoch}: validation originals (top) vs AE-C reconstructions (bottom)");
        plt.Axes.Frameless();
        plt.SavePng(path, Math.Max(400, width * 2), height * 2 + 80);
    }
}
