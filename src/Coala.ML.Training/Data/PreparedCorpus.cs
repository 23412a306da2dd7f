using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using Coala.ML.Features;
using Coala.ML.Training.Data;

namespace Coala.ML.Training;

/// <summary>
/// A training corpus of your own clips and tags: made once by <see cref="Prepare"/> (<c>coala prepare</c>), then opened
/// for training with <see cref="Open"/>. Patches and labels are memory-mapped, read-only; <see cref="Train"/> and
/// <see cref="Validation"/> apply the stored min-max scaler as they are read (validation values clamped to &gt;= 0,
/// as the reference). Thread-safe. Dispose to unmap the files.
/// </summary>
/// <example>
/// <code>
/// PreparedCorpus.Prepare(new PrepareOptions { Folder = "clips", OutputDirectory = "corpus" });
/// using var corpus = PreparedCorpus.Open("corpus");
/// </code>
/// </example>
public sealed class PreparedCorpus : TrainingCorpus
{
    private readonly MemoryMappedFile? _patchFile, _labelFile;
    private readonly MemoryMappedViewAccessor? _patchView, _labelView;

    /// <summary>The file that makes a folder a prepared corpus (written last by <see cref="Prepare"/>).</summary>
    public const string ManifestFileName = CorpusFiles.Manifest;

    /// <summary>The corpus directory.</summary>
    public string Directory { get; }
    /// <summary>What the corpus holds and how it was made (manifest.json).</summary>
    public CorpusManifest Manifest { get; }
    /// <inheritdoc />
    public override IReadOnlyList<string> Vocabulary { get; }
    /// <inheritdoc />
    public override MinMaxScaler Scaler { get; }
    /// <inheritdoc />
    public override FrontendSettings Frontend { get; }
    /// <summary>The training split.</summary>
    public CorpusSplit Train { get; }
    /// <summary>The validation split (one example per clip).</summary>
    public CorpusSplit Validation { get; }

    internal override ITrainingSet TrainingSet => Train;
    internal override ITrainingSet ValidationSet => Validation;

    /// <summary>
    /// Turns audio files and their tags into a corpus in <see cref="PrepareOptions.OutputDirectory"/>: decodes each
    /// clip to its highest-energy log-mel patch (in parallel, cached so that an interrupted run resumes), drops failures
    /// and duplicate audio, picks the tag vocabulary, splits 90/10 by iterative stratification, fits the scaler on the
    /// training split, and writes the files atomically, the manifest last.
    /// </summary>
    /// <exception cref="CoalaException">bad options, no usable clip, or the output cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; what was decoded stays cached.</exception>
    public static PrepareResult Prepare(PrepareOptions options, IProgress<PrepareProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AudioPatchSource.CreatePreparer(options.Frontend, options.PatchesPerClip)
            .Run(options, progress is null ? null : progress.Report, cancel);
    }

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
        Train = new CorpusSplit(this, 0, trainPaths, clampAtZero: false);
        Validation = new CorpusSplit(this, trainPaths.Length, validationPaths, clampAtZero: true);
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

    internal void ReadLabels(int row, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_labelView is null || _disposed, this);
        _labelView.SafeMemoryMappedViewHandle.ReadSpan((ulong)row * (ulong)Manifest.VocabularySize, destination);
    }

    private volatile bool _disposed;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        _patchView?.Dispose();
        _patchFile?.Dispose();
        _labelView?.Dispose();
        _labelFile?.Dispose();
    }
}
