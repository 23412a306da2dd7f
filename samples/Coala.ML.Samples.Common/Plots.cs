using ScottPlot;

namespace Coala.ML.Samples;

/// <summary>The two pictures of the classification samples (ScottPlot): the confusion matrix and a PCA map of the embeddings.</summary>
public static class Plots
{
    /// <summary>
    /// Confusion-matrix heat map: rows are the true class, columns the prediction; the colour is the row's fraction
    /// (per-class recall on the diagonal), the number the count.
    /// </summary>
    public static Plot ConfusionMatrix(string[] classes, int[,] counts, string title)
    {
        int n = classes.Length;
        var plt = new Plot();
        var cmap = new ScottPlot.Colormaps.Viridis();
        for (int i = 0; i < n; i++)
        {
            int rowTotal = Enumerable.Range(0, n).Sum(j => counts[i, j]);
            double y = n - 1 - i; // first class on top
            for (int j = 0; j < n; j++)
            {
                double frac = rowTotal > 0 ? (double)counts[i, j] / rowTotal : 0;
                var cell = plt.Add.Rectangle(j - 0.5, j + 0.5, y - 0.5, y + 0.5);
                cell.FillStyle.Color = cmap.GetColor(frac);
                cell.LineStyle.Width = 0;
                var text = plt.Add.Text(counts[i, j].ToString(), j, y);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 10 : 14;
                text.LabelFontColor = frac > 0.6 ? Colors.Black : Colors.White;
            }
        }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, classes);
        plt.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plt.Axes.Bottom.MinimumSize = 90;
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.Reverse().ToArray(), classes);
        plt.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plt.Grid.IsVisible = false;
        plt.Title(title);
        plt.XLabel("predicted");
        plt.YLabel("true");
        return plt;
    }

    /// <summary>Scatter plot of 2-D points coloured by class, with a legend of class names.</summary>
    public static Plot ClassMap(double[] x, double[] y, string[] labels, string title, string xLabel = "PC 1", string yLabel = "PC 2")
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        for (int c = 0; c < classes.Length; c++)
        {
            var idx = Enumerable.Range(0, labels.Length).Where(i => labels[i] == classes[c]).ToArray();
            var points = plt.Add.ScatterPoints(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray());
            points.LegendText = classes[c];
            points.Color = palette.GetColor(c).WithAlpha(0.75);
            points.MarkerSize = labels.Length > 500 ? 5 : 8;
            points.MarkerShape = c < 10 ? MarkerShape.FilledCircle : MarkerShape.FilledSquare;
        }
        plt.ShowLegend(Edge.Right);
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        return plt;
    }

    /// <summary>PCA map of embeddings (see <see cref="Pca.Project2D"/>), coloured by class.</summary>
    public static Plot EmbeddingMap(IReadOnlyList<float[]> embeddings, string[] labels, string title)
    {
        var (x, y, e1, e2) = Pca.Project2D(embeddings);
        return ClassMap(x, y, labels, title, $"PC 1 ({e1:P0} of variance)", $"PC 2 ({e2:P0} of variance)");
    }

    /// <summary>Saves the confusion matrix and the embedding map of <paramref name="result"/> as <c>DIR/NAME-confusion.png</c> and <c>DIR/NAME-embedding-map.png</c>.</summary>
    /// <returns>The two paths.</returns>
    public static (string Confusion, string EmbeddingMap) Save(ClassificationResult result, string dir, string name, string title)
    {
        Directory.CreateDirectory(dir);
        string confusion = Path.Combine(dir, name + "-confusion.png"), map = Path.Combine(dir, name + "-embedding-map.png");
        int size = Math.Max(560, 120 + 56 * result.Classes.Length);
        ConfusionMatrix(result.Classes, result.Counts,
            $"{title}: accuracy {result.Accuracy:P1}, macro-F1 {result.MacroF1:F2}").SavePng(confusion, size + 60, size);
        EmbeddingMap(result.Embeddings, result.Labels, $"{title}: COALA embeddings of the test files (PCA)")
            .SavePng(map, 1000, 700);
        return (confusion, map);
    }

    /// <summary>An HTML <c>img</c> element that inlines a PNG file (for notebooks).</summary>
    public static string HtmlImage(string pngPath, int width = 700) =>
        $"<img width='{width}' src='data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(pngPath))}'/>";
}
