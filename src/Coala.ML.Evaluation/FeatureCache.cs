using System.Collections.Concurrent;
using System.Diagnostics;

namespace Coala.ML.Evaluation;

/// <summary>
/// In-memory features per (extractor, file), extracted in parallel (bounded). A file an extractor cannot read is
/// remembered with its error and reported, never retried.
/// </summary>
public sealed class FeatureCache
{
    private readonly ConcurrentDictionary<(IFeatureExtractor, string), float[]> _features = new();
    private readonly ConcurrentDictionary<(IFeatureExtractor, string), string> _failures = new();
    private readonly ConcurrentDictionary<IFeatureExtractor, double> _seconds = new();

    /// <summary>Files extracted so far (all extractors); tests use it to check the cache is hit.</summary>
    public int Extractions => _extractions;
    private int _extractions;

    /// <summary>Wall seconds spent extracting per extractor.</summary>
    public double SecondsFor(IFeatureExtractor e) => _seconds.TryGetValue(e, out var s) ? s : 0;

    /// <summary>Extracts every file not yet cached for <paramref name="extractor"/>, <paramref name="threads"/> at a time.</summary>
    public void Extract(IFeatureExtractor extractor, IEnumerable<string> paths, int threads, TextWriter? progress = null)
    {
        var todo = paths.Distinct().Where(p => !_features.ContainsKey((extractor, p)) && !_failures.ContainsKey((extractor, p))).ToList();
        if (todo.Count == 0) return;
        var sw = Stopwatch.StartNew();
        int done = 0, nextReport = Math.Max(1, todo.Count / 10);
        progress?.WriteLine($"{extractor.Name}: extracting {todo.Count} clips ({extractor.Dimension} values each)");
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, path =>
        {
            try
            {
                var v = extractor.Extract(path);
                if (v.Length != extractor.Dimension)
                    throw new CoalaException($"{extractor.Name} gave {v.Length} values, expected {extractor.Dimension}", path);
                int bad = Array.FindIndex(v, x => !float.IsFinite(x));
                if (bad >= 0) throw new CoalaException($"{extractor.Name} feature {bad} is not finite", path);
                _features[(extractor, path)] = v;
            }
            catch (CoalaException e) { _failures[(extractor, path)] = e.Message; }
            catch (Exception e) when (e is not OutOfMemoryException) { _failures[(extractor, path)] = $"{path}: unexpected {e.GetType().Name}: {e.Message}"; }
            Interlocked.Increment(ref _extractions);
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % nextReport == 0 || n == todo.Count))
                lock (progress) progress.WriteLine($"  {extractor.Name}: {n}/{todo.Count} clips, {sw.Elapsed.TotalSeconds:F0} s");
        });
        _seconds.AddOrUpdate(extractor, sw.Elapsed.TotalSeconds, (_, s) => s + sw.Elapsed.TotalSeconds);
    }

    public bool TryGet(IFeatureExtractor extractor, string path, out float[] features) =>
        _features.TryGetValue((extractor, path), out features!);

    /// <summary>The error of a file that failed for <paramref name="extractor"/>, or <c>null</c>.</summary>
    public string? Failure(IFeatureExtractor extractor, string path) =>
        _failures.TryGetValue((extractor, path), out var m) ? m : null;
}
