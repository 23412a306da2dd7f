using System.Diagnostics;
using System.Globalization;
using System.Text;
using Coala.ML.Audio;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Training;

using MathNet.Numerics.LinearAlgebra;

namespace Coala.ML.Evaluation;

/// <summary>
/// <c>coala correlate</c>: canonical correlation between audio embeddings and acoustic descriptors (paper section 3.3,
/// Table 2). Descriptors: <see cref="Descriptors"/>; CCA: <see cref="Cca"/>.
/// </summary>
public static class CorrelationAnalysis
{
    /// <summary>Audio file extensions read from a folder.</summary>
    public static readonly string[] AudioExtensions = [".wav", ".wave", ".mp3", ".ogg", ".oga"];

    /// <summary>
    /// The clips to analyse: the validation clips of a prepared corpus (a directory holding manifest.json, made by
    /// <c>coala prepare</c>), else every audio file under the folder (recursive, ordinal order). With
    /// <paramref name="maxClips"/>, that many evenly spaced ones. A missing or empty folder is a <see cref="CoalaException"/>.
    /// </summary>
    public static IReadOnlyList<string> ResolveClips(string path, int? maxClips = null)
    {
        if (maxClips is < 1) throw new CoalaException($"--max-clips must be at least 1, got {maxClips}");
        string full = Path.GetFullPath(path);
        IReadOnlyList<string> clips;
        if (File.Exists(Path.Combine(full, PreparedCorpus.ManifestFileName)))
        {
            using var corpus = PreparedCorpus.Open(full);
            clips = corpus.Validation.Paths;
            if (clips.Count == 0) throw new CoalaException("the prepared corpus has no validation clips", full);
        }
        else if (Directory.Exists(full))
        {
            clips = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Where(f => AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray();
            if (clips.Count == 0) throw new CoalaException($"the folder holds no audio files ({string.Join(", ", AudioExtensions)})", full);
        }
        else throw new CoalaException("clips folder (or prepared corpus directory) not found", full);

        if (maxClips is int n && n < clips.Count)
            clips = Enumerable.Range(0, n).Select(i => clips[(int)((long)i * clips.Count / n)]).ToArray();
        return clips;
    }

    /// <summary>
    /// Computes the table for <paramref name="models"/> on <paramref name="clips"/>. Bad input (a missing model,
    /// duplicate names, an unreadable clip, too few clips for the dimensionality: CCA needs n &gt; p + q) is a
    /// <see cref="CoalaException"/>, checked before the long work where possible.
    /// </summary>
    public static CorrelationTable Run(IReadOnlyList<CorrelationModel> models, IReadOnlyList<string> clips, CorrelationOptions? options = null)
    {
        var o = options ?? new CorrelationOptions();
        o.Descriptors.Validate();
        var watch = Stopwatch.StartNew();
        if (models.Count == 0) throw new CoalaException("no model given (use --model NAME=path.onnx)");
        foreach (var dup in models.GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new CoalaException($"model name '{dup.Key}' is given {dup.Count()} times");
        var loaded = new List<CoalaModel>();
        foreach (var m in models)
        {
            if (string.IsNullOrWhiteSpace(m.Name)) throw new CoalaException("a model has an empty name (use --model NAME=path.onnx)", m.Path);
            if (!File.Exists(m.Path)) throw new CoalaException("model file not found", Path.GetFullPath(m.Path));
            loaded.Add(CoalaModel.Load(Path.GetFullPath(m.Path)));
        }

        int n = clips.Count;
        int qMax = Descriptors.Groups.Max(g => Descriptors.Dimension(g, o.Descriptors));
        foreach (var model in loaded)
        {
            int p = o.PrincipalComponents ?? model.EmbeddingDim;
            if (o.PrincipalComponents is int k && (k < 1 || k > model.EmbeddingDim))
                throw new CoalaException($"--pca {k} must be between 1 and the embedding dimension {model.EmbeddingDim}", model.Path);
            if (n <= p + qMax)
                throw new CoalaException(
                    $"{n} clips are too few: CCA between {p}-d embeddings and descriptors of up to {qMax} dimensions needs more clips than p + q = {p + qMax} " +
                    $"(with fewer, every canonical correlation is trivially 1). Give at least {p + qMax + 1} clips" +
                    (o.PrincipalComponents is null ? $", or reduce the embeddings with --pca K (K < {n - qMax})." : ", or a smaller --pca."),
                    model.Path);
        }

        o.Log?.Invoke($"descriptors of {n} clips...");
        var descriptors = new ClipDescriptors[n];
        try
        {
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var d = Descriptors.FromFile(clips[i], o.Descriptors);
                foreach (var g in Descriptors.Groups)
                    if (d[g].Any(v => !double.IsFinite(v)))
                        throw new CoalaException($"descriptor {Descriptors.Label(g)} is not finite", clips[i]);
                descriptors[i] = d;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is CoalaException) is CoalaException first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
        var groups = Descriptors.Groups;
        var ySides = groups.Select(g => CcaSide.Fit(
            Matrix<double>.Build.Dense(n, descriptors[0][g].Length, (i, j) => descriptors[i][g][j]), o.Epsilon)).ToArray();
        o.Log?.Invoke($"descriptors done in {watch.Elapsed.TotalSeconds:0.0} s");

        var scores = new double[groups.Count, models.Count];
        for (int m = 0; m < models.Count; m++)
        {
            var t0 = watch.Elapsed;
            var emb = Embed(loaded[m], clips, o.Input);
            var x = Matrix<double>.Build.Dense(n, emb[0].Length, (i, j) => emb[i][j]);
            if (o.PrincipalComponents is int k) x = Cca.PrincipalComponents(x, k);
            var xSide = CcaSide.Fit(x, o.Epsilon);
            for (int g = 0; g < groups.Count; g++) scores[g, m] = Cca.Score(xSide, ySides[g]);
            o.Log?.Invoke($"model {models[m].Name}: {xSide.Kept} of {xSide.Variables} embedding dimensions vary; {(watch.Elapsed - t0).TotalSeconds:0.0} s");
        }
        return new CorrelationTable(models.Select(m => m.Name).ToArray(), groups, scores, n,
            loaded[0].EmbeddingDim, o.PrincipalComponents, o.Input, watch.Elapsed);
    }

    private static float[][] Embed(CoalaModel model, IReadOnlyList<string> clips, EmbeddingInput input)
    {
        var result = new float[clips.Count][];
        using var embedder = new CoalaEmbedder(model, new CoalaEmbedderOptions { Pooling = CoalaPooling.Mean });
        if (input == EmbeddingInput.MeanPooling)
        {
            for (int i = 0; i < clips.Count; i++) result[i] = embedder.EmbedFile(clips[i]);
        }
        else
        {
            var frontend = new CoalaFrontend(model.Frontend);
            for (int i = 0; i < clips.Count; i++)
            {
                var clip = AudioResampler.Resample(AudioReader.Read(clips[i]), model.Frontend.SampleRate);
                result[i] = embedder.EmbedPatches(frontend.MaxEnergyPatch(clip.Samples, source: clips[i]), 1);
            }
        }
        foreach (var (e, i) in result.Select((e, i) => (e, i)))
            if (e.Any(v => !float.IsFinite(v))) throw new CoalaException("the embedding holds a NaN or infinite value", clips[i]);
        return result;
    }
}
