using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coala.ML.Features;
using Coala.ML.IO;

namespace Coala.ML.Training.Data;

/// <summary>
/// <c>coala prepare</c>: audio + tags to a training set. Collects clips (<see cref="ClipSources"/>), decodes each
/// file to its highest-energy log-mel patch (in parallel, cached in <see cref="PatchCache"/>), drops failures and
/// duplicate audio, picks the tag vocabulary (<see cref="TagVocabulary"/>), splits 90/10 by iterative
/// stratification, fits the per-band min-max scaler on the training split, and writes the corpus files
/// (<see cref="CorpusFiles"/>) atomically, the manifest last.
/// </summary>
internal sealed class CorpusPreparer
{
    private readonly FrontendSettings _frontend;
    private readonly Func<string, float[]> _patchFromFile;
    private readonly string _extractor;
    private readonly int _maxPatches;

    /// <param name="frontend">Settings the patches are computed with (recorded in the manifest).</param>
    /// <param name="patchFromFile">
    /// File path to its [bands, frames] patch, or to 1..<paramref name="maxPatchesPerClip"/> patches [patch, bands, frames]
    /// (the first the clip's main patch); throws <see cref="CoalaException"/> for bad audio.
    /// </param>
    /// <param name="extractorId">Names the extraction code: part of the cache key and input hash.</param>
    /// <param name="maxPatchesPerClip">
    /// Patches a training clip may give (each a training row with the clip's tags). Duplicate checks, the split and
    /// the validation rows use the first patch only, so validation stays one row per clip.
    /// </param>
    public CorpusPreparer(FrontendSettings frontend, Func<string, float[]> patchFromFile, string extractorId, int maxPatchesPerClip = 1)
    {
        frontend.Validate();
        if (maxPatchesPerClip < 1) throw new CoalaException($"--patches-per-clip must be at least 1 (got {maxPatchesPerClip})");
        _frontend = frontend;
        _patchFromFile = patchFromFile;
        _extractor = extractorId;
        _maxPatches = maxPatchesPerClip;
    }

    private int PatchLength => _frontend.MelBands * _frontend.PatchFrames;

    /// <summary>A whole number of patches, at least one and at most the allowed per clip.</summary>
    private bool IsValidLength(int values) => values > 0 && values % PatchLength == 0 && values / PatchLength <= _maxPatches;

    /// <summary>Runs the preparation; returns with <see cref="PrepareResult.UpToDate"/> when the output already matches.</summary>
    public PrepareResult Run(PrepareOptions options, Action<PrepareProgress>? progress = null, CancellationToken cancel = default)
    {
        if (string.IsNullOrWhiteSpace(options.OutputDirectory)) throw new CoalaException("an output directory (--output) is needed");
        if (options.Threads < 1) throw new CoalaException($"--threads must be at least 1 (got {options.Threads})");
        if (!(options.NearDuplicateThreshold >= 0 && options.NearDuplicateThreshold <= 1))
            throw new CoalaException($"--near-duplicate-threshold must be in [0, 1] (0 disables it; got {options.NearDuplicateThreshold})");
        if (!(options.ValidationShare > 0 && options.ValidationShare < 1)) throw new CoalaException($"validation share must be in (0, 1) (got {options.ValidationShare})");
        TagVocabulary.Build([], options.MinCount, options.MaxShare, options.MaxVocabulary); // validates the options

        string outDir = Path.GetFullPath(options.OutputDirectory);
        var listing = ClipSources.Collect(options.CsvPath, options.Folder);
        var dropped = new List<DroppedItem>(listing.Dropped);

        // Stat the files: the cache key and the input hash.
        var clips = new List<(ClipEntry Clip, long Size, long Ticks)>();
        foreach (var clip in listing.Clips)
        {
            var info = new FileInfo(clip.FullPath);
            if (!info.Exists) dropped.Add(new DroppedItem(clip.FullPath, "file not found", DropCategory.Missing));
            else clips.Add((clip, info.Length, info.LastWriteTimeUtc.Ticks));
        }

        string inputHash = InputHash(options, clips, dropped);
        if (TryUpToDate(outDir, inputHash) is { } upToDate) return upToDate;

        try { Directory.CreateDirectory(outDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoalaException($"cannot create the output directory: {e.Message}", outDir, e);
        }
        DeleteIfExists(Path.Combine(outDir, CorpusFiles.Manifest)); // the old corpus is no longer valid from here on

        using var cache = PatchCache.Open(Path.Combine(outDir, CorpusFiles.Cache), CacheKey());
        var outcomes = Decode(clips, cache, options.Threads, progress, cancel, out int fromCache);

        // Failures, then duplicates (same patch: keep the first in input order).
        var kept = new List<(ClipEntry Clip, CachedOutcome Outcome)>();
        var firstByHash = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < clips.Count; i++)
        {
            var (clip, o) = (clips[i].Clip, outcomes[i]);
            if (o.IsError)
            {
                dropped.Add(new DroppedItem(clip.FullPath, o.Error!, DropCategory.OfAudioError(o.Error!)));
                continue;
            }
            string hash = Convert.ToHexString(o.Hash!);
            if (firstByHash.TryGetValue(hash, out var first))
            {
                dropped.Add(new DroppedItem(clip.FullPath, $"same audio as {first}", DropCategory.Duplicate));
                continue;
            }
            firstByHash[hash] = clip.FullPath;
            kept.Add((clip, o));
        }
        if (options.NearDuplicateThreshold > 0) kept = DropNearDuplicates(kept, cache, options.NearDuplicateThreshold, dropped);

        // Vocabulary over the clips with usable audio; clips left with no vocabulary tag are dropped.
        var (vocabulary, _) = TagVocabulary.Build(kept.Select(k => (IReadOnlyCollection<string>)k.Clip.Tags).ToList(),
            options.MinCount, options.MaxShare, options.MaxVocabulary);
        var tagIndex = vocabulary.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        var labelled = new List<(ClipEntry Clip, CachedOutcome Outcome, int[] Labels)>();
        foreach (var (clip, o) in kept)
        {
            var labels = clip.Tags.Where(tagIndex.ContainsKey).Select(t => tagIndex[t]).Distinct().Order().ToArray();
            if (labels.Length == 0)
                dropped.Add(new DroppedItem(clip.FullPath, $"none of its tags ({Excerpt.Join(clip.Tags)}) is in the vocabulary", DropCategory.NoVocabularyTag));
            else labelled.Add((clip, o, labels));
        }
        if (labelled.Count == 0)
        {
            WriteDropped(outDir, dropped);
            throw new CoalaException($"no clip left to train on: {PrepareResult.Summarize(dropped)} (reasons in {Path.Combine(outDir, CorpusFiles.Dropped)}; " +
                $"{kept.Count} clips had usable audio, --min-count is {options.MinCount})");
        }

        var (trainIdx, valIdx) = IterativeStratification.Split(labelled.Select(l => l.Labels).ToList(), vocabulary.Length, options.ValidationShare, options.Seed);
        var rows = trainIdx.Select(i => (labelled[i], CorpusFiles.TrainSplit))
            .Concat(valIdx.Select(i => (labelled[i], CorpusFiles.ValidationSplit))).ToList();

        var perTag = new int[vocabulary.Length];
        foreach (var l in labelled) foreach (int t in l.Labels) perTag[t]++;
        var tagCounts = vocabulary.Select((t, i) => new TagCount(t, perTag[i])).ToArray();
        var manifest = Write(outDir, options, inputHash, rows, trainIdx.Length, vocabulary, dropped, cache);
        return new PrepareResult { Manifest = manifest, Dropped = dropped, TagCounts = tagCounts, FromCache = fromCache };
    }

    /// <summary>The clips that are not near-duplicates of earlier kept ones; the others go to <paramref name="dropped"/>.</summary>
    private List<(ClipEntry Clip, CachedOutcome Outcome)> DropNearDuplicates(List<(ClipEntry Clip, CachedOutcome Outcome)> kept,
        PatchCache cache, double threshold, List<DroppedItem> dropped)
    {
        var found = NearDuplicates.Find(kept.Count, _frontend.MelBands, _frontend.PatchFrames,
            (i, buffer) => cache.ReadPatch(kept[i].Outcome, 0, buffer), threshold);
        if (found.Count == 0) return kept;
        var gone = new HashSet<int>();
        foreach (var d in found)
        {
            gone.Add(d.Index);
            dropped.Add(new DroppedItem(kept[d.Index].Clip.FullPath,
                string.Create(CultureInfo.InvariantCulture, $"near-duplicate of {kept[d.Of].Clip.FullPath} (similarity {d.Similarity:0.0000})"), DropCategory.NearDuplicate));
        }
        return kept.Where((_, i) => !gone.Contains(i)).ToList();
    }

    private string CacheKey() =>
        $"{_extractor}|{string.Join(';', _frontend.ToMetadata().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))}" +
        (_maxPatches > 1 ? $"|patches-per-clip={_maxPatches}" : ""); // unchanged for one patch: older caches stay valid

    private CachedOutcome[] Decode(List<(ClipEntry Clip, long Size, long Ticks)> clips, PatchCache cache, int threads,
        Action<PrepareProgress>? progress, CancellationToken cancel, out int fromCache)
    {
        var outcomes = new CachedOutcome[clips.Count];
        int done = 0, failed = 0, cached = 0;
        var report = new Lock();
        long lastReport = 0;
        void Report(bool force)
        {
            if (progress is null) return;
            long now = Environment.TickCount64;
            lock (report)
            {
                if (!force && now - lastReport < 200) return;
                lastReport = now;
                progress(new PrepareProgress(Volatile.Read(ref done), clips.Count, Volatile.Read(ref failed), Volatile.Read(ref cached)));
            }
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel };
        try
        {
            Parallel.For(0, clips.Count, parallel, i =>
            {
                var (clip, size, ticks) = clips[i];
                if (cache.TryGet(clip.FullPath, size, ticks, out var o) && (o.IsError || IsValidLength(o.PatchLength)))
                    Interlocked.Increment(ref cached);
                else
                    o = Compute(clip.FullPath, size, ticks, cache);
                outcomes[i] = o;
                if (o.IsError) Interlocked.Increment(ref failed);
                Interlocked.Increment(ref done);
                Report(false);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is CoalaException))
        {
            throw e.InnerExceptions[0]; // cache I/O failure: stop the run with its message
        }
        Report(true);
        fromCache = cached;
        return outcomes;
    }

    private CachedOutcome Compute(string path, long size, long ticks, PatchCache cache)
    {
        string error;
        try
        {
            var patch = _patchFromFile(path);
            if (patch is null || !IsValidLength(patch.Length))
                error = _maxPatches == 1
                    ? $"the frontend returned {patch?.Length ?? 0} values, expected {_frontend.MelBands}x{_frontend.PatchFrames}"
                    : $"the frontend returned {patch?.Length ?? 0} values, expected 1 to {_maxPatches} patches of {_frontend.MelBands}x{_frontend.PatchFrames}";
            else if (!patch.All(float.IsFinite))
                error = "the log-mel patch has non-finite values";
            else
                return cache.AddPatch(path, size, ticks, patch, hashedValues: PatchLength); // duplicates are judged on the first patch, as with one
        }
        catch (CoalaException e) { error = e.Message; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"cannot decode ({e.GetType().Name}): {e.Message}";
        }
        if (!error.Contains(path, StringComparison.Ordinal)) error = $"{path}: {error}";
        return cache.AddError(path, size, ticks, error);
    }

    private string InputHash(PrepareOptions o, List<(ClipEntry Clip, long Size, long Ticks)> clips, List<DroppedItem> dropped)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"format={CorpusFiles.FormatVersion}\nextractor={CacheKey()}\n");
        sb.Append(inv, $"min-count={o.MinCount}\nvocab={o.MaxVocabulary}\nmax-share={o.MaxShare:R}\nseed={o.Seed}\nvalidation={o.ValidationShare:R}\n");
        sb.Append(inv, $"near-duplicate-threshold={o.NearDuplicateThreshold:R}\n");
        foreach (var (clip, size, ticks) in clips)
            sb.Append(inv, $"clip\t{clip.FullPath}\t{size}\t{ticks}\t{string.Join(' ', clip.Tags)}\n");
        foreach (var d in dropped) sb.Append(inv, $"dropped\t{d.Path}\t{d.Reason}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>The existing corpus's result when its manifest has the same input hash and its files are whole.</summary>
    private static PrepareResult? TryUpToDate(string outDir, string inputHash)
    {
        string manifestPath = Path.Combine(outDir, CorpusFiles.Manifest);
        if (!File.Exists(manifestPath)) return null;
        try
        {
            var m = JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllText(manifestPath), CorpusFiles.Json);
            if (m is null || m.FormatVersion != CorpusFiles.FormatVersion || m.InputHash != inputHash) return null;
            var patches = new FileInfo(Path.Combine(outDir, CorpusFiles.Patches));
            var labels = new FileInfo(Path.Combine(outDir, CorpusFiles.Labels));
            if (!patches.Exists || patches.Length != m.PatchesBytes || !labels.Exists || labels.Length != m.LabelsBytes) return null;
            foreach (var f in new[] { CorpusFiles.Vocabulary, CorpusFiles.Scaler, CorpusFiles.Clips, CorpusFiles.Dropped })
                if (!File.Exists(Path.Combine(outDir, f))) return null;
            var dropped = ReadDropped(Path.Combine(outDir, CorpusFiles.Dropped));
            return new PrepareResult { UpToDate = true, Manifest = m, Dropped = dropped };
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<DroppedItem> ReadDropped(string path) =>
        File.ReadLines(path).Skip(1).Select(l => l.Split('\t')).Where(f => f.Length == 3)
            .Select(f => new DroppedItem(f[0], f[2], f[1])).ToList();

    private CorpusManifest Write(string outDir, PrepareOptions options, string inputHash,
        List<((ClipEntry Clip, CachedOutcome Outcome, int[] Labels) Row, string Split)> rows, int trainCount,
        string[] vocabulary, List<DroppedItem> dropped, PatchCache cache)
    {
        int bands = _frontend.MelBands, frames = _frontend.PatchFrames, v = vocabulary.Length;
        var fitter = new MinMaxScaler.Fitter(bands, frames);
        var patch = new float[bands * frames];

        // One row per patch: every patch of a training clip, the first patch of a validation clip.
        var written = new List<(int Clip, int Patch)>(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            int patches = r < trainCount ? rows[r].Row.Outcome.PatchLength / patch.Length : 1;
            for (int p = 0; p < patches; p++) written.Add((r, p));
        }
        int trainRows = written.Count - (rows.Count - trainCount);

        // Patches (train rows first), fitting the scaler on the training rows as they stream past.
        WriteAtomic(outDir, CorpusFiles.Patches, stream =>
        {
            for (int w = 0; w < written.Count; w++)
            {
                var (r, p) = written[w];
                cache.ReadPatch(rows[r].Row.Outcome, p * patch.Length, patch);
                if (w < trainRows) fitter.Add(patch);
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(patch.AsSpan()));
            }
        });
        var labelRow = new byte[v];
        WriteAtomic(outDir, CorpusFiles.Labels, stream =>
        {
            foreach (var (r, _) in written)
            {
                Array.Clear(labelRow);
                foreach (int l in rows[r].Row.Labels) labelRow[l] = 1;
                stream.Write(labelRow);
            }
        });
        var scaler = fitter.ToScaler(); // the training split is never empty
        WriteText(outDir, CorpusFiles.Vocabulary, string.Concat(vocabulary.Select(t => t + "\n")));
        WriteText(outDir, CorpusFiles.Scaler, scaler.ToJson());
        var clipsTsv = new StringBuilder("index\tsplit\tpath\ttags\n");
        for (int w = 0; w < written.Count; w++)
        {
            var (row, split) = rows[written[w].Clip];
            clipsTsv.Append(CultureInfo.InvariantCulture, $"{w}\t{split}\t{Tsv(row.Clip.FullPath)}\t{string.Join(' ', row.Labels.Select(l => vocabulary[l]))}\n");
        }
        WriteText(outDir, CorpusFiles.Clips, clipsTsv.ToString());
        WriteDropped(outDir, dropped);

        var manifest = new CorpusManifest
        {
            FormatVersion = CorpusFiles.FormatVersion,
            Created = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            Frontend = new Dictionary<string, string>(_frontend.ToMetadata()),
            Extractor = _extractor,
            Bands = bands,
            Frames = frames,
            Clips = written.Count,
            Train = trainRows,
            Validation = rows.Count - trainCount,
            PatchesPerClip = _maxPatches,
            TrainClips = _maxPatches > 1 ? trainCount : null,
            Dropped = dropped.Count,
            DroppedByCategory = dropped.GroupBy(d => d.Category).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            VocabularySize = v,
            Seed = options.Seed,
            MinCount = options.MinCount,
            MaxVocabulary = options.MaxVocabulary,
            MaxShare = options.MaxShare,
            ValidationShare = options.ValidationShare,
            Csv = options.CsvPath is null ? null : Path.GetFullPath(options.CsvPath),
            Folder = options.Folder is null ? null : Path.GetFullPath(options.Folder),
            InputHash = inputHash,
            PatchesBytes = (long)written.Count * bands * frames * sizeof(float),
            LabelsBytes = (long)written.Count * v,
        };
        WriteText(outDir, CorpusFiles.Manifest, JsonSerializer.Serialize(manifest, CorpusFiles.Json));
        return manifest;
    }

    private static void WriteDropped(string outDir, List<DroppedItem> dropped)
    {
        var tsv = new StringBuilder("path\tcategory\treason\n");
        foreach (var d in dropped) tsv.Append(CultureInfo.InvariantCulture, $"{Tsv(d.Path)}\t{d.Category}\t{Tsv(d.Reason)}\n");
        WriteText(outDir, CorpusFiles.Dropped, tsv.ToString());
    }

    /// <summary>Tabs and line breaks would break the TSV row: replaced by spaces.</summary>
    private static string Tsv(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');

    private static void WriteText(string dir, string name, string text) =>
        WriteAtomic(dir, name, s => s.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>Writes <paramref name="name"/> via a temporary file renamed over it once complete and flushed.</summary>
    internal static void WriteAtomic(string dir, string name, Action<Stream> write) =>
        AtomicFile.Write(Path.Combine(dir, name), write, name, flushToDisk: true);

    private static void DeleteIfExists(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoalaException($"cannot remove the old manifest: {e.Message}", path, e);
        }
    }
}
