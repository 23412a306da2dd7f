namespace Coala.ML.Training.Data;

/// <summary>
/// What the trainer reads: N examples, each one log-mel patch (already min-max scaled,
/// laid out [bands, frames]) and its multi-hot tag vector over the vocabulary.
/// Implemented by the prepared on-disk corpus (memory-mapped) and by in-memory sets in tests.
/// Implementations must be safe for concurrent <see cref="Fill"/> calls.
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
}
