using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;
using Onnx;

namespace Coala.ML.Evaluation;

/// <summary>
/// A COALA ONNX encoder as a feature extractor: the clip's mean-pooled embedding (1152 values for the reference
/// 96 x 96 patches) through <see cref="CoalaEmbedder"/>. Thread-safe.
/// </summary>
public sealed class CoalaFeatures : IFeatureExtractor
{
    private readonly CoalaEmbedder _embedder;

    /// <exception cref="CoalaException">the model is missing or not a valid Coala.ML encoder.</exception>
    public CoalaFeatures(string name, string modelPath)
    {
        Name = name;
        ModelPath = modelPath;
        // Validate up front so a wrong path fails before any audio is read.
        Model = CoalaModel.Load(modelPath);
        _embedder = new CoalaEmbedder(Model, new CoalaEmbedderOptions { Pooling = CoalaPooling.Mean });
        Dimension = _embedder.Dimension;
    }

    public string Name { get; }
    public string ModelPath { get; }
    public CoalaModel Model { get; }
    public int Dimension { get; }

    public float[] Extract(string path) => _embedder.EmbedFile(path);

    public void Dispose() => _embedder.Dispose();

    /// <summary>
    /// Fits a per-band min-max scaler on the unscaled log-mel patches of <paramref name="trainingClips"/> (at most
    /// <paramref name="maxClips"/>, taken evenly over the sorted list), for a random encoder when no COALA model
    /// gives one. Unreadable clips are skipped; none readable is a <see cref="CoalaException"/>.
    /// </summary>
    public static MinMaxScaler FitScaler(IReadOnlyList<string> trainingClips, FrontendSettings frontend, int maxClips = 300)
    {
        var sorted = trainingClips.Distinct().Order(StringComparer.Ordinal).ToList();
        if (sorted.Count == 0) throw new CoalaException("no training clips to fit the random encoder's scaler on");
        int n = Math.Min(maxClips, sorted.Count);
        var chosen = Enumerable.Range(0, n).Select(i => sorted[(int)((long)i * sorted.Count / n)]).ToList();
        var source = new PatchSource(frontend);
        var patches = new float[]?[chosen.Count];
        Parallel.For(0, chosen.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            try { patches[i] = source.FromFile(chosen[i], out _); }
            catch (CoalaException) { /* reported when features are extracted */ }
        });
        var ok = patches.Where(p => p is not null).Select(p => p!).ToList();
        if (ok.Count == 0) throw new CoalaException($"none of the {chosen.Count} training clips could be read to fit the random encoder's scaler");
        return MinMaxScaler.Fit(ok, frontend.MelBands, frontend.PatchFrames);
    }

    /// <summary>
    /// The random-encoder control: the COALA encoder architecture with <see cref="EncoderWeights.Random"/> weights
    /// and the given scaler, written to <paramref name="onnxPath"/> and loaded like any COALA model.
    /// </summary>
    public static CoalaFeatures RandomEncoder(string name, string onnxPath, int seed, MinMaxScaler scaler, FrontendSettings? frontend = null)
    {
        frontend ??= FrontendSettings.Default;
        CoalaModelWriter.WriteEncoder(onnxPath, EncoderWeights.Random(seed), frontend, scaler,
            new Dictionary<string, string> { ["coala.evaluation.random_seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new CoalaFeatures(name, onnxPath);
    }
}
