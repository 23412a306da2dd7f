using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using Coala.ML.Features;

namespace Coala.ML.Training.Data;

/// <summary>
/// A corpus written by <c>coala prepare</c> (<see cref="CorpusPreparer"/>), opened for training: patches and
/// labels are memory-mapped, read-only; <see cref="Train"/> and <see cref="Validation"/> apply the stored
/// min-max scaler in <see cref="ITrainingSet.Fill"/> (validation values are clamped to &gt;= 0, as the reference).
/// Thread-safe. Dispose to unmap the files.
/// </summary>
internal sealed class PreparedCorpus : IDisposable
{
    private readonly MemoryMappedFile? _patchFile, _labelFile;
    private readonly MemoryMappedViewAccessor? _patchView, _labelView;

    /// <summary>The corpus directory.</summary>
    public string Directory { get; }
    public CorpusManifest Manifest { get; }
    public string[] Vocabulary { get; }
    public MinMaxScaler Scaler { get; }
    public FrontendSettings Frontend { get; }
    public Split Train { get; }
    public Split Validation { get; }

    private PreparedCorpus(string dir, CorpusManifest manifest, string[] vocabulary, MinMaxScaler scaler, FrontendSettings frontend,
        string[] trainPaths, string[] validationPaths,
        MemoryMappedFile? patchFile, MemoryMappedViewAccessor? patchView, MemoryMappedFile? labelFile, MemoryMappedViewAccessor? labelView)
    {
        Directory = dir;
        Manifest = manifest;
        Vocabulary = vocabulary;
        Scaler = scaler;
        Frontend = frontend;
        (_patchFile, _patchView, _labelFile, _labelView) = (patchFile, patchView, labelFile, labelView);
        Train = new Split(this, 0, trainPaths, clampAtZero: false);
        Validation = new Split(this, trainPaths.Length, validationPaths, clampAtZero: true);
    }

    /// <summary>
    /// Opens the corpus in <paramref name="dir"/>. A missing directory or file, a manifest of another format
    /// version, or files whose sizes or contents disagree with the manifest is a <see cref="CoalaException"/>.
    /// </summary>
    public static PreparedCorpus Open(string dir)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Coala.ML corpora are little-endian");
        string full = Path.GetFullPath(dir);
        if (!System.IO.Directory.Exists(full)) throw new CoalaException("prepared corpus directory not found (run coala prepare first)", full);
        string manifestPath = Path.Combine(full, CorpusFiles.Manifest);
        if (!File.Exists(manifestPath))
            throw new CoalaException("not a prepared corpus, or its preparation did not finish: manifest.json is missing (run coala prepare)", full);

        CorpusManifest m;
        try { m = JsonSerializer.Deserialize<CorpusManifest>(ReadText(manifestPath), CorpusFiles.Json) ?? throw new JsonException("null manifest"); }
        catch (JsonException e) { throw new CoalaException($"corrupt manifest: {e.Message}", manifestPath, e); }
        if (m.FormatVersion != CorpusFiles.FormatVersion)
            throw new CoalaException($"corpus format version {m.FormatVersion}, this version reads {CorpusFiles.FormatVersion}: run coala prepare again", manifestPath);
        if (m.Clips < 1 || m.Train < 1 || m.Validation < 0 || m.Train + m.Validation != m.Clips || m.VocabularySize < 1 || m.Bands < 1 || m.Frames < 1
            || m.PatchesPerClip < 1 || m.TrainClips is < 1 || m.TrainClips > m.Train || (long?)m.TrainClips * m.PatchesPerClip < m.Train)
            throw new CoalaException($"corrupt manifest: {m.Clips} rows = {m.Train} train + {m.Validation} validation ({m.TrainClips?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"} training clips, up to {m.PatchesPerClip} patches each), vocabulary {m.VocabularySize}, patch {m.Bands}x{m.Frames}", manifestPath);

        var frontend = FrontendSettings.FromMetadata(m.Frontend, manifestPath);
        if (frontend.MelBands != m.Bands || frontend.PatchFrames != m.Frames)
            throw new CoalaException($"corrupt manifest: patch {m.Bands}x{m.Frames} but frontend {frontend.MelBands}x{frontend.PatchFrames}", manifestPath);

        string vocabPath = Path.Combine(full, CorpusFiles.Vocabulary);
        var vocabulary = ReadText(vocabPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (vocabulary.Length != m.VocabularySize)
            throw new CoalaException($"{vocabulary.Length} tags, the manifest says {m.VocabularySize}", vocabPath);

        string scalerPath = Path.Combine(full, CorpusFiles.Scaler);
        var scaler = MinMaxScaler.FromJson(ReadText(scalerPath), m.Bands, scalerPath);

        string clipsPath = Path.Combine(full, CorpusFiles.Clips);
        var train = new List<string>();
        var val = new List<string>();
        foreach (var (line, n) in ReadText(clipsPath).Split('\n').Skip(1).Select((l, i) => (l, i + 2)))
        {
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length != 4 || f[0] != (train.Count + val.Count).ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw new CoalaException($"line {n} is not 'index, split, path, tags' in order", clipsPath);
            if (f[1] == CorpusFiles.TrainSplit && val.Count == 0) train.Add(f[2]);
            else if (f[1] == CorpusFiles.ValidationSplit) val.Add(f[2]);
            else throw new CoalaException($"line {n}: split '{f[1]}' (expected train rows, then validation rows)", clipsPath);
        }
        if (train.Count != m.Train || val.Count != m.Validation)
            throw new CoalaException($"{train.Count} train + {val.Count} validation clips, the manifest says {m.Train} + {m.Validation}", clipsPath);

        long patchBytes = (long)m.Clips * m.Bands * m.Frames * sizeof(float);
        long labelBytes = (long)m.Clips * m.VocabularySize;
        var (pf, pv) = Map(Path.Combine(full, CorpusFiles.Patches), patchBytes);
        try
        {
            var (lf, lv) = Map(Path.Combine(full, CorpusFiles.Labels), labelBytes);
            return new PreparedCorpus(full, m, vocabulary, scaler, frontend, [.. train], [.. val], pf, pv, lf, lv);
        }
        catch
        {
            pv.Dispose();
            pf.Dispose();
            throw;
        }
    }

    private static string ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException e) { throw new CoalaException("missing from the prepared corpus (run coala prepare again)", path, e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CoalaException($"cannot read: {e.Message}", path, e); }
    }

    private static (MemoryMappedFile, MemoryMappedViewAccessor) Map(string path, long expectedBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new CoalaException("missing from the prepared corpus (run coala prepare again)", path);
        if (info.Length != expectedBytes)
            throw new CoalaException($"holds {info.Length} bytes, the manifest implies {expectedBytes}: the corpus is damaged (run coala prepare again)", path);
        try
        {
            var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            try { return (file, file.CreateViewAccessor(0, expectedBytes, MemoryMappedFileAccess.Read)); }
            catch { file.Dispose(); throw; }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoalaException($"cannot map: {e.Message}", path, e);
        }
    }

    /// <summary>Raw (unscaled) patch of corpus row <paramref name="row"/> (train rows first, then validation).</summary>
    internal void ReadRawPatch(int row, Span<float> destination)
    {
        int per = Manifest.Bands * Manifest.Frames;
        if (destination.Length != per) throw new ArgumentException($"destination holds {destination.Length} values, a patch {per}");
        ObjectDisposedException.ThrowIf(_patchView is null || _disposed, this);
        _patchView.SafeMemoryMappedViewHandle.ReadSpan((ulong)row * (ulong)per * sizeof(float), destination);
    }

    private void ReadLabels(int row, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_labelView is null || _disposed, this);
        _labelView.SafeMemoryMappedViewHandle.ReadSpan((ulong)row * (ulong)Manifest.VocabularySize, destination);
    }

    private volatile bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _patchView?.Dispose();
        _patchFile?.Dispose();
        _labelView?.Dispose();
        _labelFile?.Dispose();
    }

    /// <summary>One split of a <see cref="PreparedCorpus"/>: a contiguous run of its rows.</summary>
    internal sealed class Split : ITrainingSet
    {
        private readonly PreparedCorpus _corpus;
        private readonly int _firstRow;
        private readonly bool _clamp;

        internal Split(PreparedCorpus corpus, int firstRow, string[] paths, bool clampAtZero)
        {
            _corpus = corpus;
            _firstRow = firstRow;
            Paths = paths;
            _clamp = clampAtZero;
        }

        /// <summary>Clip path of each example.</summary>
        public string[] Paths { get; }
        public int Count => Paths.Length;
        public int Bands => _corpus.Manifest.Bands;
        public int Frames => _corpus.Manifest.Frames;
        public int VocabularySize => _corpus.Manifest.VocabularySize;

        /// <summary>Counts each tag over this split's label rows alone (the patches are not read).</summary>
        public long[] TagCounts()
        {
            int v = VocabularySize;
            var counts = new long[v];
            var row = new byte[v];
            for (int i = 0; i < Count; i++)
            {
                _corpus.ReadLabels(_firstRow + i, row);
                for (int j = 0; j < v; j++)
                {
                    if (row[j] > 1) throw DamagedLabel(row[j], _firstRow + i, j);
                    counts[j] += row[j];
                }
            }
            return counts;
        }

        private CoalaException DamagedLabel(byte value, int row, int tag) =>
            new($"label byte {value} at row {row}, tag {tag} (expected 0 or 1): the corpus is damaged", Path.Combine(_corpus.Directory, CorpusFiles.Labels));

        public void Fill(ReadOnlySpan<int> indices, Span<float> patches, Span<float> labels)
        {
            int per = Bands * Frames, v = VocabularySize;
            if (patches.Length != indices.Length * per) throw new ArgumentException($"patches holds {patches.Length} values, expected {indices.Length}x{Bands}x{Frames}", nameof(patches));
            if (labels.Length != indices.Length * v) throw new ArgumentException($"labels holds {labels.Length} values, expected {indices.Length}x{v}", nameof(labels));
            byte[] labelRow = v <= 4096 ? [] : new byte[v];
            Span<byte> row = v <= 4096 ? stackalloc byte[v] : labelRow;
            for (int k = 0; k < indices.Length; k++)
            {
                int i = indices[k];
                if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"example {i} is outside 0..{Count - 1}");
                var patch = patches.Slice(k * per, per);
                _corpus.ReadRawPatch(_firstRow + i, patch);
                _corpus.Scaler.Apply(patch, Frames, _clamp);
                _corpus.ReadLabels(_firstRow + i, row);
                var dst = labels.Slice(k * v, v);
                for (int j = 0; j < v; j++)
                {
                    if (row[j] > 1) throw DamagedLabel(row[j], _firstRow + i, j);
                    dst[j] = row[j];
                }
            }
        }
    }
}
