using Coala.ML.Features;

namespace Coala.ML.Export;

/// <summary>
/// Writes COALA model files from trained weights, as <c>Coala.ML.Training</c> and the reference import do: the encoder
/// (log-mel scaler, network and frontend settings in one ONNX graph) and, beside it, the tag model
/// (<c>x.onnx</c> → <c>x.tags.onnx</c>). Files are written atomically; what is written loads with
/// <see cref="CoalaEmbedder"/> and <see cref="CoalaTagIndex"/>.
/// </summary>
public static class CoalaModelWriter
{
    /// <summary>Metadata key of the variant a model was trained as (aec, ec, cnn).</summary>
    public const string TrainingVariantKey = OnnxEncoderWriter.KeyTrainingVariant;
    /// <summary>Metadata key of the last complete epoch of the checkpoint a model was exported from.</summary>
    public const string TrainingEpochKey = OnnxEncoderWriter.KeyTrainingEpoch;
    /// <summary>Metadata key of the training vocabulary's size.</summary>
    public const string TrainingVocabularySizeKey = OnnxEncoderWriter.KeyTrainingVocabularySize;
    /// <summary>Metadata key of the tag model's per-tag training clip counts (a JSON array).</summary>
    public const string TagCountsKey = OnnxTagModelWriter.KeyTagCounts;

    /// <summary>
    /// Writes the encoder to <paramref name="path"/>. <paramref name="metadata"/> adds provenance entries (the
    /// <c>coala.*</c> format keys are the writer's own). <paramref name="framesByBands"/> is for weights trained on
    /// transposed patches, [frames, bands], as the reference's were.
    /// </summary>
    /// <exception cref="CoalaException">invalid weights, frontend or scaler, a metadata key clash, or the file cannot be written.</exception>
    public static void WriteEncoder(string path, EncoderWeights weights, FrontendSettings frontend, MinMaxScaler scaler,
        IReadOnlyDictionary<string, string>? metadata = null, bool framesByBands = false) =>
        OnnxEncoderWriter.Write(path, weights, frontend, scaler, metadata, framesByBands);

    /// <summary>
    /// Writes the tag model of <paramref name="encoder"/> to <paramref name="path"/> (usually
    /// <see cref="TagModelPath"/>): it records the encoder's fingerprint, so it is refused beside any other encoder.
    /// </summary>
    /// <exception cref="CoalaException">invalid weights or vocabulary, or the file cannot be written.</exception>
    public static void WriteTagModel(string path, TagModelWeights weights, IReadOnlyList<string> vocabulary, EncoderWeights encoder,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        OnnxTagModelWriter.Write(path, weights, vocabulary, EncoderFingerprint.Of(encoder), metadata);

    /// <summary>Where the tag model of an encoder file lives: <c>x.onnx</c> → <c>x.tags.onnx</c> in the same folder.</summary>
    public static string TagModelPath(string encoderPath) => OnnxTagModelWriter.CompanionPath(encoderPath);

    /// <summary>Checks a vocabulary: <paramref name="expectedSize"/> non-empty, unique, white-space-free words.</summary>
    /// <exception cref="CoalaException">naming <paramref name="source"/> and the first bad word.</exception>
    public static void ValidateVocabulary(IReadOnlyList<string> vocabulary, int expectedSize, string? source = null) =>
        OnnxTagModelWriter.ValidateVocabulary(vocabulary, expectedSize, source);
}
