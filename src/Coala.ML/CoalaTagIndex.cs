using Coala.ML.Export;
using Coala.ML.Model;
using Coala.ML.Tags;

namespace Coala.ML;

/// <summary>
/// Search by tag in COALA's shared audio-tag space (AE-C and E-C models): the two contrastive heads map an
/// audio embedding and a set of tags to vectors whose cosine similarity the model was trained to make high for
/// matching pairs. Needs the tag model <c>&lt;name&gt;.tags.onnx</c> that <c>coala export --tags</c> writes beside
/// the encoder <c>&lt;name&gt;.onnx</c>. Embed audio with <see cref="CoalaEmbedder"/> (mean pooling, same encoder), then
/// rank tags with <see cref="Tags"/>, or compare it with <see cref="Query"/> vectors through <see cref="AlignAudio"/>
/// and <see cref="Cosine"/>. The audio head is linear and bias-free, so aligning the clip's mean embedding equals
/// averaging the aligned patch vectors. Thread-safe.
/// </summary>
public sealed class CoalaTagIndex : IDisposable
{
    private readonly TagModel _model;
    private readonly TagMatcher _matcher;

    /// <summary>Loads the tag model and checks that it belongs to the encoder.</summary>
    /// <param name="modelPath">The audio encoder (default: the model installed with Coala.ML).</param>
    /// <param name="tagModelPath">The tag model (default: <c>&lt;encoder name&gt;.tags.onnx</c> beside the encoder).</param>
    /// <exception cref="CoalaException">a missing or invalid file, or a tag model exported with another encoder.</exception>
    public CoalaTagIndex(string? modelPath = null, string? tagModelPath = null)
        : this(CoalaModel.Load(ModelLocator.Resolve(modelPath)), tagModelPath)
    {
    }

    /// <summary>The tag model of an encoder already loaded (callers that use the encoder too load it once).</summary>
    public CoalaTagIndex(CoalaModel encoder, string? tagModelPath = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        _model = TagModel.Load(tagModelPath ?? OnnxTagModelWriter.CompanionPath(encoder.Path));
        try
        {
            if (_model.Dimension != encoder.EmbeddingDim)
                throw new CoalaException($"the tag model takes {_model.Dimension}-value embeddings but the encoder {encoder.Path} gives {encoder.EmbeddingDim}", _model.Path);
            _model.CheckEncoder(encoder.Bytes, encoder.Path);
        }
        catch { _model.Dispose(); throw; }
        _matcher = new TagMatcher(_model.Vocabulary);
    }

    internal CoalaTagIndex(TagModel model)
    {
        _model = model;
        _matcher = new TagMatcher(model.Vocabulary);
    }

    internal TagModel Model => _model;

    /// <summary>The tags the model knows, in the order of its multi-hot input.</summary>
    public IReadOnlyList<string> Vocabulary => _model.Vocabulary;

    /// <summary>How many training clips carried each vocabulary word (vocabulary order), or <c>null</c> for a tag model exported without them.</summary>
    public IReadOnlyList<int>? TagCounts => _model.TagCounts;

    /// <summary>Length of the encoder embeddings taken and of the shared-space vectors returned (1152).</summary>
    public int Dimension => _model.Dimension;

    /// <summary>The audio head applied to a clip's mean encoder embedding: its vector in the shared space.</summary>
    /// <exception cref="CoalaException">the embedding is not <see cref="Dimension"/> values (use mean pooling) or not finite.</exception>
    public float[] AlignAudio(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Dimension)
            throw new CoalaException($"expected a {Dimension}-value mean embedding, got {embedding.Length} values" +
                (embedding.Length == 2 * Dimension ? " (mean-and-std pooling: use CoalaPooling.Mean)" : ""), _model.Path);
        foreach (var v in embedding)
            if (!float.IsFinite(v)) throw new CoalaException("the embedding holds NaN or infinite values", _model.Path);
        return _model.AlignAudio(embedding.ToArray(), 1);
    }

    /// <summary>The tag model file.</summary>
    public string TagModelPath => _model.Path;

    /// <summary>
    /// The aligned vector of every vocabulary tag at unit length, row-major [<see cref="Vocabulary"/>.Count,
    /// <see cref="Dimension"/>] (a copy): what <see cref="Tags"/> ranks a clip's aligned embedding against.
    /// </summary>
    public float[] UnitTagVectors() => (float[])_model.UnitWordVectors.Clone();

    /// <summary>The vocabulary ranked by cosine similarity to a clip, best first.</summary>
    /// <param name="embedding">The clip's mean encoder embedding (<see cref="CoalaEmbedder"/>, mean pooling).</param>
    /// <param name="top">How many tags to return (at most the vocabulary size).</param>
    public IReadOnlyList<(string Tag, float Cosine)> Tags(ReadOnlySpan<float> embedding, int top = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var scores = TagScores(AlignAudio(embedding));
        return Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(top).Select(i => (Vocabulary[i], scores[i])).ToList();
    }

    /// <summary>The shared-space vector of a query: the multi-hot vector of the tags through the tag encoder and head.</summary>
    /// <param name="tags">Vocabulary words; matched after lower-casing, also in simple plural forms ("dogs" finds "dog").</param>
    /// <exception cref="CoalaException">no tags, or an unknown tag (the message lists the closest vocabulary words).</exception>
    public float[] Query(params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var words = tags.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        if (words.Count == 0) throw new CoalaException("the query has no tags");
        var hot = new float[Vocabulary.Count];
        foreach (var w in words) hot[_matcher.Resolve(w)] = 1;
        return _model.EncodeTags(hot, 1);
    }

    /// <summary>
    /// Zero-shot classification: each label is one or more vocabulary words (separated by spaces or '+', e.g.
    /// "snare" or "hihat closed"), made one query vector as <see cref="Query"/> does; the labels are ranked by the
    /// cosine of their vector with the clip's aligned vector, best first. No training: the classes are whatever words
    /// the model learned.
    /// </summary>
    /// <param name="embedding">The clip's mean encoder embedding (<see cref="CoalaEmbedder"/>, mean pooling).</param>
    /// <param name="labels">At least two labels.</param>
    /// <exception cref="CoalaException">a label with a word outside the vocabulary (the message suggests the closest words).</exception>
    public IReadOnlyList<(string Label, float Cosine)> Classify(ReadOnlySpan<float> embedding, IReadOnlyList<string> labels)
    {
        var queries = LabelQueries(labels);
        var aligned = AlignAudio(embedding);
        return queries.Select(q => (q.Label, Cosine(q.Vector, aligned))).OrderByDescending(t => t.Item2).ToList();
    }

    /// <summary>Each label's query vector (see <see cref="Classify"/>); the CLI computes them once for many clips.</summary>
    public IReadOnlyList<(string Label, float[] Vector)> LabelQueries(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count < 2) throw new ArgumentException($"classification needs at least two labels, got {labels.Count}", nameof(labels));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, float[])>(labels.Count);
        foreach (var label in labels)
        {
            var words = LabelWords(label);
            if (words.Length == 0) throw new ArgumentException("a label is empty", nameof(labels));
            if (!seen.Add(label.Trim())) throw new ArgumentException($"label '{label.Trim()}' is given twice", nameof(labels));
            try { result.Add((label.Trim(), Query(words))); }
            catch (CoalaException e) { throw new CoalaException($"label '{label.Trim()}': {e.Message}", null, e); }
        }
        return result;
    }

    /// <summary>The vocabulary words of a label: split at white space and '+'.</summary>
    internal static string[] LabelWords(string label) =>
        (label ?? "").Split([' ', '\t', '+'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Cosine similarity of two vectors (0 when either is zero).</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => VectorMath.Cosine(a, b);

    /// <summary>Cosine of an aligned audio vector with every vocabulary word, in vocabulary order.</summary>
    internal float[] TagScores(ReadOnlySpan<float> aligned)
    {
        var words = _model.UnitWordVectors;
        double n = VectorMath.Norm(aligned);
        int d = Dimension;
        var s = new float[Vocabulary.Count];
        if (n == 0) return s;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(VectorMath.Dot(words.AsSpan(i * d, d), aligned) / n);
        return s;
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
