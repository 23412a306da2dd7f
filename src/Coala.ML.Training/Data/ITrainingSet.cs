namespace Coala.ML.Training.Data;

/// <summary>
/// What the trainer reads: N examples, each one log-mel patch (already min-max scaled,
/// laid out [bands, frames]) and its multi-hot tag vector over the vocabulary.
/// Implemented by the prepared on-disk corpus (memory-mapped) and by in-memory sets in tests.
/// A validation set returns values below the training minimum clamped to 0, as the reference does
/// (<see cref="Coala.ML.Features.MinMaxScaler.Apply"/> with clampAtZero). Implementations must be safe for concurrent
/// <see cref="Fill"/> calls.
/// </summary>
internal interface ITrainingSet
{
    int Count { get; }
    int Bands { get; }
    int Frames { get; }
    int VocabularySize { get; }

    /// <summary>
    /// Copies examples <paramref name="indices"/> into <paramref name="patches"/> ([k, Bands, Frames]) and
    /// <paramref name="labels"/> ([k, VocabularySize], 0 or 1).
    /// </summary>
    void Fill(ReadOnlySpan<int> indices, Span<float> patches, Span<float> labels);

    /// <summary>
    /// How many examples carry each tag (for prior-initialised tag outputs). This default reads every example through
    /// <see cref="Fill"/>; sets that store labels apart from patches override it to read the labels alone.
    /// </summary>
    long[] TagCounts()
    {
        const int chunk = 256;
        var counts = new long[VocabularySize];
        var patches = new float[chunk * Bands * Frames];
        var labels = new float[chunk * VocabularySize];
        var idx = new int[chunk];
        for (int start = 0; start < Count; start += chunk)
        {
            int k = Math.Min(chunk, Count - start);
            for (int j = 0; j < k; j++) idx[j] = start + j;
            Fill(idx.AsSpan(0, k), patches.AsSpan(0, k * Bands * Frames), labels.AsSpan(0, k * VocabularySize));
            for (int j = 0; j < k * VocabularySize; j++) if (labels[j] != 0) counts[j % VocabularySize]++;
        }
        return counts;
    }
}
