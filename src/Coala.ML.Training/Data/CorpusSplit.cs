using Coala.ML.Training.Data;

namespace Coala.ML.Training;

/// <summary>
/// One split of a <see cref="PreparedCorpus"/> (training or validation): a contiguous run of its rows, each a log-mel
/// patch, its multi-hot tags and its clip's path. Thread-safe.
/// </summary>
public sealed class CorpusSplit : ITrainingSet
{
    private readonly PreparedCorpus _corpus;
    private readonly int _firstRow;
    private readonly bool _clamp;

    internal CorpusSplit(PreparedCorpus corpus, int firstRow, string[] paths, bool clampAtZero)
    {
        _corpus = corpus;
        _firstRow = firstRow;
        Paths = paths;
        _clamp = clampAtZero;
    }

    /// <summary>Clip path of each example.</summary>
    public IReadOnlyList<string> Paths { get; }
    /// <summary>Examples in the split (rows: one patch and its tags each).</summary>
    public int Count => Paths.Count;
    /// <summary>Mel bands of each patch.</summary>
    public int Bands => _corpus.Manifest.Bands;
    /// <summary>Frames of each patch.</summary>
    public int Frames => _corpus.Manifest.Frames;
    /// <summary>Length of each multi-hot tag vector.</summary>
    public int VocabularySize => _corpus.Manifest.VocabularySize;

    /// <summary>The raw (unscaled) log-mel patch of example <paramref name="index"/>, [bands, frames], as the encoder file takes it.</summary>
    public void ReadRawPatch(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"example {index} is outside 0..{Count - 1}");
        _corpus.ReadRawPatch(_firstRow + index, destination);
    }

    /// <summary>How many examples carry each tag (the label rows alone are read).</summary>
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

    /// <summary>
    /// Copies examples <paramref name="indices"/> into <paramref name="patches"/> ([k, bands, frames], min-max scaled;
    /// validation values clamped to &gt;= 0 as the reference) and <paramref name="labels"/> ([k, vocabulary], 0 or 1).
    /// </summary>
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
