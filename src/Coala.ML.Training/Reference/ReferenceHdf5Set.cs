using System.Collections.Concurrent;
using Coala.ML.Training.Data;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Coala.ML.Training.Reference;

/// <summary>
/// One HDF5 file of the reference's released pre-training set (xavierfav/coala, Zenodo 3887261), read with PureHDF
/// as an <see cref="ITrainingSet"/>: group <c>dataset</c> with <c>id</c> int32 [N, 1], <c>data</c> float32 [N, 96, 96]
/// (patches already min-max scaled, each stored [frames, bands] as the reference declared it) and <c>label</c> int16
/// [N, V] multi-hot. <see cref="Fill"/> hands patches over as [bands, frames], the trainer's layout, so a model trained
/// from these files exports like any other (docs/REFERENCE.md). Rows are read on demand (the real training file holds
/// ~6 GB of patches), a batch's rows in parallel, each reader with its own file handle (PureHDF's are not
/// thread-safe), so concurrent <see cref="Fill"/> calls are safe too.
/// </summary>
internal sealed class ReferenceHdf5Set : ITrainingSet, IDisposable
{
    public const int Side = 96;

    /// <summary>The default for the most file handles reading one batch at once: half the cores, at most 8.</summary>
    public static int DefaultReaders { get; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 8);

    private readonly int _maxReaders;

    /// <summary>One open file with its two datasets; used by one thread at a time.</summary>
    private sealed class Reader(NativeFile file) : IDisposable
    {
        public NativeFile File { get; } = file;
        public IH5Dataset Data { get; } = file.Dataset("/dataset/data");
        public IH5Dataset Label { get; } = file.Dataset("/dataset/label");
        public void Dispose() => File.Dispose();
    }

    private readonly ConcurrentBag<Reader> _readers = new();
    private readonly bool _clampAtZero;

    public string Path { get; }
    public int Count { get; }
    public int Bands => Side;
    public int Frames => Side;
    public int VocabularySize { get; }

    private ReferenceHdf5Set(string path, NativeFile file, int count, int vocabulary, bool clampAtZero, int readers)
    {
        _maxReaders = readers;
        Path = path;
        _readers.Add(new Reader(file));
        Count = count;
        VocabularySize = vocabulary;
        _clampAtZero = clampAtZero;
    }

    /// <summary>Opens <paramref name="path"/> and checks its layout.</summary>
    /// <param name="path">The HDF5 file.</param>
    /// <param name="clampAtZero">Replace negative values by 0 (the validation split, as the reference's trainer does).</param>
    /// <param name="readers">The most rows read at once, each with its own file handle (default <see cref="DefaultReaders"/>).</param>
    /// <exception cref="CoalaException">not HDF5, or a dataset missing or of the wrong type or shape (named in the message).</exception>
    public static ReferenceHdf5Set Open(string path, bool clampAtZero = false, int? readers = null)
    {
        if (readers is < 1) throw new ArgumentOutOfRangeException(nameof(readers), "at least one reader");
        if (!File.Exists(path)) throw new CoalaException("HDF5 file not found", path);
        NativeFile file;
        try { file = H5File.OpenRead(path); }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"not a readable HDF5 file: {e.Message}", path, e);
        }
        try
        {
            IH5Dataset Get(string name)
            {
                if (!file.LinkExists("dataset") || !file.Group("dataset").LinkExists(name))
                    throw new CoalaException($"no dataset '/dataset/{name}'; expected the reference layout: /dataset/id int32 [N,1], /dataset/data float32 [N,96,96], /dataset/label int16 [N,V]", path);
                return file.Dataset("/dataset/" + name);
            }
            var id = Get("id");
            var data = Get("data");
            var label = Get("label");
            ulong[] dd = data.Space.Dimensions, ld = label.Space.Dimensions, id_ = id.Space.Dimensions;
            string Shape(ulong[] d) => "[" + string.Join(",", d) + "]";
            if (data.Type.Class != H5DataTypeClass.FloatingPoint || data.Type.Size != 4)
                throw new CoalaException($"'/dataset/data' is {data.Type.Class} of {data.Type.Size} bytes, expected float32", path);
            if (dd.Length != 3 || dd[1] != Side || dd[2] != Side)
                throw new CoalaException($"'/dataset/data' has shape {Shape(dd)}, expected [N,{Side},{Side}] (96 x 96 log-mel patches)", path);
            if (label.Type.Class != H5DataTypeClass.FixedPoint || label.Type.Size > 8)
                throw new CoalaException($"'/dataset/label' is {label.Type.Class} of {label.Type.Size} bytes, expected int16 multi-hot", path);
            if (ld.Length != 2 || ld[0] != dd[0] || ld[1] == 0)
                throw new CoalaException($"'/dataset/label' has shape {Shape(ld)}, expected [{dd[0]},V] for {dd[0]} patches", path);
            if (id_.Length != 2 || id_[0] != dd[0] || id_[1] != 1)
                throw new CoalaException($"'/dataset/id' has shape {Shape(id_)}, expected [{dd[0]},1]", path);
            if (dd[0] == 0 || dd[0] > int.MaxValue || ld[1] > 100_000)
                throw new CoalaException($"'/dataset/data' holds {dd[0]} patches and '/dataset/label' {ld[1]} tags: out of range", path);
            return new ReferenceHdf5Set(path, file, (int)dd[0], (int)ld[1], clampAtZero, readers ?? DefaultReaders);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The Freesound ids of all rows (<c>/dataset/id</c>).</summary>
    public int[] ReadIds()
    {
        var r = Rent();
        try { return r.File.Dataset("/dataset/id").Read<int[]>(); }
        finally { _readers.Add(r); }
    }

    private Reader Rent()
    {
        if (_readers.TryTake(out var r)) return r;
        try { return new Reader(H5File.OpenRead(Path)); }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"cannot open the HDF5 file again for reading: {e.Message}", Path, e);
        }
    }

    /// <inheritdoc/>
    public void Fill(ReadOnlySpan<int> indices, Span<float> patches, Span<float> labels)
    {
        int per = Side * Side, v = VocabularySize, n = indices.Length;
        if (patches.Length < n * per || labels.Length < n * v)
            throw new ArgumentException("destination too small for the requested examples");
        foreach (int i in indices)
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"example {i} of {Count}");
        int workers = Math.Min(_maxReaders, (n + 3) / 4); // at least 4 rows a worker
        if (workers == 1)
        {
            var r = Rent();
            try
            {
                for (int k = 0; k < n; k++) ReadRow(r, indices[k], patches.Slice(k * per, per), labels.Slice(k * v, v));
            }
            finally { _readers.Add(r); }
            return;
        }
        // Spans cannot enter the workers: they fill arrays, copied once at the end.
        int[] idx = indices.ToArray();
        var p = new float[n * per];
        var l = new float[n * v];
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var r = Rent();
                try
                {
                    for (int k = w; k < n; k += workers) ReadRow(r, idx[k], p.AsSpan(k * per, per), l.AsSpan(k * v, v));
                }
                finally { _readers.Add(r); }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is CoalaException) is CoalaException ce)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ce).Throw();
        }
        p.CopyTo(patches);
        l.CopyTo(labels);
    }

    private void ReadRow(Reader r, int i, Span<float> patch, Span<float> label)
    {
        float[] raw;
        short[] hot;
        try
        {
            raw = r.Data.Read<float[]>(new HyperslabSelection(3, [(ulong)i, 0, 0], [1, Side, Side]));
            hot = r.Label.Read<short[]>(new HyperslabSelection(2, [(ulong)i, 0], [1, (ulong)VocabularySize]));
        }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"cannot read row {i}: {e.Message}", Path, e);
        }
        // Stored [frames, bands]; the trainer takes [bands, frames].
        for (int f = 0; f < Side; f++)
            for (int b = 0; b < Side; b++)
            {
                float x = raw[f * Side + b];
                patch[b * Side + f] = _clampAtZero && x < 0 ? 0 : x;
            }
        for (int j = 0; j < label.Length; j++) label[j] = hot[j] != 0 ? 1f : 0f;
    }

    /// <summary>
    /// The reference's validation file beside <paramref name="trainPath"/>: <c>name_val</c> for <c>name</c> (the
    /// released files have no extension), <c>name_val.h5</c> for <c>name.h5</c>.
    /// </summary>
    public static string ValidationPath(string trainPath)
    {
        string dir = System.IO.Path.GetDirectoryName(trainPath) ?? "";
        string ext = System.IO.Path.GetExtension(trainPath);
        string stem = System.IO.Path.GetFileNameWithoutExtension(trainPath);
        return System.IO.Path.Combine(dir, stem + "_val" + ext);
    }

    public void Dispose()
    {
        while (_readers.TryTake(out var r)) r.Dispose();
    }
}
