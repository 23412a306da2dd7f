using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using static Coala.ML.Export.OnnxProto;

namespace Coala.ML.Export;

/// <summary>
/// Writes the tag side of a contrastive COALA model (AE-C or E-C) as a small ONNX model (opset 17), the companion
/// <c>&lt;name&gt;.tags.onnx</c> of an audio encoder <c>&lt;name&gt;.onnx</c>. Two independent paths into the shared
/// audio-tag space (the vectors the NT-Xent loss compares in training):
/// <list type="bullet">
/// <item><c>coala_tags</c> [N, V] multi-hot → tag encoder (3 x Gemm + BatchNormalization (eval) + Relu) → tag
/// head (Gemm, no bias) → <c>coala_tag_aligned</c> [N, 1152];</item>
/// <item><c>coala_audio_embedding</c> [M, 1152] (the encoder's <c>coala_mean</c>) → audio head (Gemm, no bias) →
/// <c>coala_audio_aligned</c> [M, 1152].</item>
/// </list>
/// Both inputs have a default value (one zero row), so a caller feeds only the one it needs. The vocabulary (in
/// the multi-hot order), the vocabulary size, the format version and the fingerprint of the paired audio encoder
/// are metadata.
/// </summary>
internal static class OnnxTagModelWriter
{
    public const string TagsInput = "coala_tags", AudioInput = "coala_audio_embedding";
    public const string TagOutput = "coala_tag_aligned", AudioOutput = "coala_audio_aligned";
    public const string BatchDim = "N", AudioBatchDim = "M";

    public const string KeyArchitecture = "coala.architecture";
    public const string Architecture = "coala-tag-model-v1";
    public const string KeyFormatVersion = "coala.tags.format_version";
    public const int FormatVersion = 1;
    public const string KeyEmbeddingDim = "coala.embedding_dim";
    public const string KeyVocabularySize = "coala.tags.vocabulary_size";
    /// <summary>The vocabulary as a JSON array of strings, index = position in the multi-hot input.</summary>
    public const string KeyVocabulary = "coala.tags.vocabulary";
    /// <summary>Optional: how many training clips carried each vocabulary word, a JSON array of integers in vocabulary order.</summary>
    public const string KeyTagCounts = "coala.tags.counts";
    /// <summary><see cref="EncoderFingerprint"/> of the audio encoder this tag model belongs to.</summary>
    public const string KeyEncoderFingerprint = "coala.tags.encoder_sha256";

    /// <summary>Companion file name: <c>x.onnx</c> → <c>x.tags.onnx</c> in the same folder.</summary>
    public static string CompanionPath(string encoderPath)
    {
        string dir = Path.GetDirectoryName(encoderPath) ?? "";
        string name = Path.GetFileName(encoderPath);
        string stem = name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? name[..^5] : name;
        return Path.Combine(dir, stem + ".tags.onnx");
    }

    /// <summary>Checks a vocabulary: one non-empty, unique, white-space-free word per multi-hot index.</summary>
    public static void ValidateVocabulary(IReadOnlyList<string> vocabulary, int expectedSize, string? source = null)
    {
        if (vocabulary.Count != expectedSize)
            throw new CoalaException($"the vocabulary has {vocabulary.Count} words but the tag encoder takes {expectedSize}", source);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++)
        {
            var w = vocabulary[i];
            if (string.IsNullOrEmpty(w) || w.Any(char.IsWhiteSpace))
                throw new CoalaException($"vocabulary word {i} ('{w}') is empty or holds white space", source);
            if (!seen.Add(w)) throw new CoalaException($"vocabulary word '{w}' appears twice", source);
        }
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (temp file in the same folder, then move).</summary>
    public static void Write(string path, TagModelWeights weights, IReadOnlyList<string> vocabulary, string encoderFingerprint,
        IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        byte[] bytes = Build(weights, vocabulary, encoderFingerprint, extraMetadata).ToByteArray();
        IO.AtomicFile.WriteAllBytes(path, bytes, "the tag model");
    }

    /// <summary>Builds the ONNX <see cref="ModelProto"/> (exposed for tests that alter a valid model).</summary>
    public static ModelProto Build(TagModelWeights weights, IReadOnlyList<string> vocabulary, string encoderFingerprint,
        IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(vocabulary);
        weights.Validate();
        ValidateVocabulary(vocabulary, weights.VocabularySize);
        if (string.IsNullOrWhiteSpace(encoderFingerprint)) throw new CoalaException("the tag model needs the encoder's fingerprint");
        int v = weights.VocabularySize, d = TagModelWeights.Embedding;

        var g = new GraphProto { Name = "coala_tag_model" };
        g.Input.Add(TensorInfo(TagsInput, DimParam(BatchDim), Dim(v)));
        g.Input.Add(TensorInfo(AudioInput, DimParam(AudioBatchDim), Dim(d)));
        g.Output.Add(TensorInfo(TagOutput, DimParam(BatchDim), Dim(d)));
        g.Output.Add(TensorInfo(AudioOutput, DimParam(AudioBatchDim), Dim(d)));
        // Defaults that make each input optional (IR >= 4: an initializer named as an input is its default).
        g.Initializer.Add(FloatTensor(TagsInput, [1, v], new float[v]));
        g.Initializer.Add(FloatTensor(AudioInput, [1, d], new float[d]));

        string x = TagsInput;
        for (int l = 0; l < TagModelWeights.LinearIndices.Length; l++)
        {
            string lin = TagModelWeights.LinearName(l), bn = TagModelWeights.BatchNormName(l);
            foreach (var name in new[] { lin + ".weight", lin + ".bias", bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var" })
            {
                var t = weights[name];
                g.Initializer.Add(FloatTensor(name, t.Shape.Select(s => (long)s).ToArray(), t.Values));
            }
            var gemm = Node("Gemm", [x, lin + ".weight", lin + ".bias"], [$"tag_layer{l}_linear"]);
            gemm.Attribute.Add(Int("transB", 1));
            g.Node.Add(gemm);
            var bnNode = Node("BatchNormalization", [$"tag_layer{l}_linear", bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var"], [$"tag_layer{l}_bn"]);
            bnNode.Attribute.Add(Float("epsilon", TagModelWeights.BatchNormEpsilon));
            g.Node.Add(bnNode);
            g.Node.Add(Node("Relu", [$"tag_layer{l}_bn"], [$"tag_layer{l}_relu"]));
            x = $"tag_layer{l}_relu";
        }
        foreach (var (head, input, output) in new[] { (TagModelWeights.TagHead, x, TagOutput), (TagModelWeights.AudioHead, AudioInput, AudioOutput) })
        {
            var t = weights[head];
            g.Initializer.Add(FloatTensor(head, [d, d], t.Values));
            var n = Node("Gemm", [input, head], [output]); // y = x W^T, as torch Linear(bias=False)
            n.Attribute.Add(Int("transB", 1));
            g.Node.Add(n);
        }

        var model = new ModelProto
        {
            IrVersion = OnnxEncoderWriter.IrVersion,
            ProducerName = OnnxEncoderWriter.ProducerName,
            ProducerVersion = typeof(OnnxTagModelWriter).Assembly.GetName().Version?.ToString() ?? "",
            ModelVersion = FormatVersion,
            DocString = "COALA tag model (Favory et al. 2020): multi-hot tags and audio encoder embeddings into the shared contrastive space",
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxEncoderWriter.Opset });

        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KeyArchitecture] = Architecture,
            [KeyFormatVersion] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            [KeyEmbeddingDim] = d.ToString(CultureInfo.InvariantCulture),
            [KeyVocabularySize] = v.ToString(CultureInfo.InvariantCulture),
            [KeyVocabulary] = JsonSerializer.Serialize(vocabulary),
            [KeyEncoderFingerprint] = encoderFingerprint,
        };
        AddExtraMetadata(meta, extraMetadata);
        SetMetadata(model, meta);
        return model;
    }
}
