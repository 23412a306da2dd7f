using System.Globalization;
using System.Text.Json;
using Coala.ML.Export;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Coala.ML.Tags;

/// <summary>
/// A Coala.ML tag model (<see cref="OnnxTagModelWriter"/>, <c>&lt;name&gt;.tags.onnx</c>) read from disk, checked and
/// opened in ONNX Runtime (CPU): maps multi-hot tag vectors and audio encoder embeddings into the shared space.
/// Thread-safe.
/// </summary>
internal sealed class TagModel : IDisposable
{
    public static IReadOnlyList<int> SupportedFormatVersions { get; } = [OnnxTagModelWriter.FormatVersion];

    private readonly InferenceSession _session;
    private readonly Lazy<float[]> _wordVectors;
    private int _disposed;

    public string Path { get; }
    /// <summary>Tags in multi-hot order.</summary>
    public IReadOnlyList<string> Vocabulary { get; }
    /// <summary>Size of the audio embedding it takes and of the shared space (1152).</summary>
    public int Dimension { get; }
    /// <summary>Fingerprint of the audio encoder it was exported with (<see cref="EncoderFingerprint"/>).</summary>
    public string EncoderFingerprint { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Training clips per vocabulary word (<see cref="OnnxTagModelWriter.KeyTagCounts"/>), or <c>null</c> when the model does not say.</summary>
    public IReadOnlyList<int>? TagCounts { get; private init; }

    private TagModel(string path, byte[] bytes, string[] vocabulary, int dim, string fingerprint, Dictionary<string, string> meta)
    {
        Path = path;
        Vocabulary = vocabulary;
        Dimension = dim;
        EncoderFingerprint = fingerprint;
        Metadata = meta;
        try
        {
            using var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            _session = new InferenceSession(bytes, options);
        }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"ONNX Runtime cannot load the tag model: {e.Message.Trim()}", path, e);
        }
        _wordVectors = new Lazy<float[]>(ComputeWordVectors);
    }

    /// <summary>Reads and checks a tag model file.</summary>
    /// <exception cref="CoalaException">missing, unreadable, not ONNX, not a tag model, or inconsistent; names the file.</exception>
    public static TagModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Model.ModelFile.Read(path, "tag model",
            "tag model file not found: export it beside the encoder with `coala export --tags` (AE-C or E-C checkpoints)");
        return FromBytes(bytes, path);
    }

    /// <summary>Checks tag model bytes; <paramref name="path"/> names them in errors.</summary>
    public static TagModel FromBytes(byte[] bytes, string path)
    {
        var (model, meta) = Model.ModelFile.Parse(bytes, path, "tag model");
        meta.TryGetValue(OnnxTagModelWriter.KeyArchitecture, out var arch);
        if (arch != OnnxTagModelWriter.Architecture)
            throw new CoalaException(arch == OnnxEncoderWriter.Architecture
                ? "this is a Coala.ML audio encoder, not a tag model (tag models are the .tags.onnx files `coala export --tags` writes)"
                : $"not a Coala.ML tag model ({OnnxTagModelWriter.KeyArchitecture} is '{arch ?? "missing"}', expected '{OnnxTagModelWriter.Architecture}')", path);

        string Require(string key) => meta.TryGetValue(key, out var v)
            ? v : throw new CoalaException($"tag model metadata lacks '{key}'", path);

        Model.ModelFile.FormatVersion(Require(OnnxTagModelWriter.KeyFormatVersion), OnnxTagModelWriter.KeyFormatVersion, SupportedFormatVersions, path);
        int dim = Model.ModelFile.PositiveInt(Require(OnnxTagModelWriter.KeyEmbeddingDim), OnnxTagModelWriter.KeyEmbeddingDim, MaxDimension, "tag model", path);
        int size = Model.ModelFile.PositiveInt(Require(OnnxTagModelWriter.KeyVocabularySize), OnnxTagModelWriter.KeyVocabularySize, MaxVocabulary, "tag model", path);
        string[] vocabulary;
        try { vocabulary = JsonSerializer.Deserialize<string[]>(Require(OnnxTagModelWriter.KeyVocabulary)) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new CoalaException($"tag model metadata '{OnnxTagModelWriter.KeyVocabulary}' is not a JSON array of strings: {e.Message}", path, e); }
        try { OnnxTagModelWriter.ValidateVocabulary(vocabulary, size); }
        catch (CoalaException e) { throw new CoalaException($"{e.Message} ({OnnxTagModelWriter.KeyVocabularySize} = {size})", path, e); }
        string fingerprint = Require(OnnxTagModelWriter.KeyEncoderFingerprint);

        var g = model.Graph;
        CheckTensor(g.Input, OnnxTagModelWriter.TagsInput, size, "input", path);
        CheckTensor(g.Input, OnnxTagModelWriter.AudioInput, dim, "input", path);
        CheckTensor(g.Output, OnnxTagModelWriter.TagOutput, dim, "output", path);
        CheckTensor(g.Output, OnnxTagModelWriter.AudioOutput, dim, "output", path);
        int[]? counts = null;
        if (meta.TryGetValue(OnnxTagModelWriter.KeyTagCounts, out var countsJson))
        {
            try { counts = JsonSerializer.Deserialize<int[]>(countsJson) ?? throw new JsonException("null"); }
            catch (JsonException e) { throw new CoalaException($"tag model metadata '{OnnxTagModelWriter.KeyTagCounts}' is not a JSON array of integers: {e.Message}", path, e); }
            if (counts.Length != size || counts.Any(c => c < 0))
                throw new CoalaException($"tag model metadata '{OnnxTagModelWriter.KeyTagCounts}' holds {counts.Length} counts for {size} words, or a negative one", path);
        }
        return new TagModel(path, bytes, vocabulary, dim, fingerprint, meta) { TagCounts = counts };
    }

    /// <summary>The largest vocabulary and embedding size read (vectors and the word table are allocated from them).</summary>
    public const int MaxVocabulary = 1 << 16, MaxDimension = Model.CoalaModel.MaxEmbeddingDim;

    private static void CheckTensor(IEnumerable<ValueInfoProto> values, string name, int width, string kind, string path)
    {
        var v = values.FirstOrDefault(i => i.Name == name)
            ?? throw new CoalaException($"the tag model has no {kind} '{name}'", path);
        var t = v.Type?.TensorType;
        var dims = t?.Shape?.Dim;
        if (t is null || t.ElemType != (int)TensorProto.Types.DataType.Float || dims is null || dims.Count != 2
            || dims[1].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dims[1].DimValue != width)
            throw new CoalaException($"tag model {kind} '{name}' is not a float [rows, {width}] tensor (its metadata says {width})", path);
    }

    /// <summary>Fails unless the tag model belongs to the encoder in <paramref name="encoderPath"/> (same weights).</summary>
    public void CheckEncoder(byte[] encoderBytes, string encoderPath)
    {
        string actual = Export.EncoderFingerprint.Of(encoderBytes, encoderPath);
        if (!string.Equals(actual, EncoderFingerprint, StringComparison.OrdinalIgnoreCase))
        {
            string from = Metadata.TryGetValue(OnnxEncoderWriter.KeyTrainingEpoch, out var ep) ? $" (exported at epoch {ep})" : "";
            throw new CoalaException($"the tag model {Path}{from} belongs to another audio encoder than {encoderPath} (weights differ): " +
                "export both from the same checkpoint (`coala export --tags`)", Path);
        }
    }

    /// <summary>Tag encoder + tag head: <paramref name="rows"/> multi-hot vectors [rows, V] → [rows, Dimension].</summary>
    public float[] EncodeTags(float[] multiHot, int rows) =>
        Run(OnnxTagModelWriter.TagsInput, OnnxTagModelWriter.TagOutput, multiHot, rows, Vocabulary.Count);

    /// <summary>Audio head: <paramref name="rows"/> encoder embeddings [rows, Dimension] → [rows, Dimension].</summary>
    public float[] AlignAudio(float[] embeddings, int rows) =>
        Run(OnnxTagModelWriter.AudioInput, OnnxTagModelWriter.AudioOutput, embeddings, rows, Dimension);

    /// <summary>Each vocabulary word alone through the tag encoder and head, unit-normalised: [V, Dimension].</summary>
    public float[] UnitWordVectors => _wordVectors.Value;

    private float[] ComputeWordVectors()
    {
        int v = Vocabulary.Count;
        // One identity matrix through the graph; a large vocabulary in blocks of rows, so memory stays O(rows x V).
        int block = v <= 2048 ? v : 1024;
        var w = new float[(long)v * Dimension];
        var eye = new float[(long)block * v];
        for (int start = 0; start < v; start += block)
        {
            int rows = Math.Min(block, v - start);
            Array.Clear(eye);
            for (int r = 0; r < rows; r++) eye[(long)r * v + start + r] = 1;
            EncodeTags(rows == block ? eye : eye[..(rows * v)], rows).CopyTo(w, (long)start * Dimension);
        }
        for (int i = 0; i < v; i++) VectorMath.Normalize(w.AsSpan(i * Dimension, Dimension));
        return w;
    }

    private float[] Run(string input, string output, float[] data, int rows, int width)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (rows < 1 || data.Length != (long)rows * width)
            throw new CoalaException($"'{input}' needs {rows} x {width} values, got {data.Length}", Path);
        try
        {
            using var x = OrtValue.CreateTensorValueFromMemory(data, [rows, width]);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, [input], [x], [output]);
            var span = outputs[0].GetTensorDataAsSpan<float>();
            if (span.Length != rows * Dimension)
                throw new CoalaException($"output '{output}' gave {span.Length} values, expected {rows} x {Dimension}", Path);
            return span.ToArray();
        }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"ONNX Runtime failed to run the tag model: {e.Message.Trim()}", Path, e);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _session.Dispose();
    }
}

/// <summary>Small float vector helpers for cosine ranking.</summary>
internal static class VectorMath
{
    public static double Norm(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (var v in x) s += (double)v * v;
        return Math.Sqrt(s);
    }

    /// <summary>Scales to unit length in place (a zero vector stays zero).</summary>
    public static void Normalize(Span<float> x)
    {
        double n = Norm(x);
        if (n == 0) return;
        for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] / n);
    }

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new CoalaException($"cannot compare vectors of {a.Length} and {b.Length} values");
        double na = Norm(a), nb = Norm(b);
        return na == 0 || nb == 0 ? 0f : (float)(Dot(a, b) / (na * nb));
    }
}
