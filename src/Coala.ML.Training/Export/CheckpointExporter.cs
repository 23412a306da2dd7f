using System.Globalization;
using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Training.Networks;
using TorchSharp;

namespace Coala.ML.Training;

/// <summary>
/// Turns a training checkpoint into the inference model: the audio encoder's eval-mode weights (convolutions and
/// BatchNorm running statistics) as <see cref="EncoderWeights"/> under the reference names
/// <c>audio_encoder.N.*</c> (the CNN's <c>encoder.N.*</c> mapped to the same names), written as ONNX with the
/// corpus's frontend settings and scaler, ready for <see cref="CoalaEmbedder"/> and <c>CoalaEmbed</c>.
/// </summary>
public static class CheckpointExporter
{
    /// <summary>
    /// Reads a checkpoint (or a run folder's <see cref="CoalaTrainer.CheckpointFileName"/>) and writes the ONNX encoder
    /// to <paramref name="outputPath"/>; with <paramref name="tags"/> also the tag model beside it
    /// (<c>&lt;name&gt;.tags.onnx</c>, for <see cref="CoalaTagIndex"/>), whose path it returns.
    /// </summary>
    /// <exception cref="CoalaException">unreadable or damaged checkpoint, weights the writer rejects, or
    /// <paramref name="tags"/> asked of a CNN checkpoint (it has no tag encoder).</exception>
    public static string? Export(string checkpointPath, string outputPath, bool tags = false)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        if (Directory.Exists(checkpointPath)) checkpointPath = Path.Combine(checkpointPath, TrainingCheckpoint.FileName);
        var ck = TrainingCheckpoint.Load(checkpointPath);
        var weights = ToEncoderWeights(ck, checkpointPath);
        TagModelWeights? tagWeights = tags ? ToTagModelWeights(ck, checkpointPath) : null; // fail before writing anything
        var frontend = FrontendOf(ck.Config, checkpointPath);
        var scaler = ScalerOf(ck.Config, checkpointPath);
        var meta = new Dictionary<string, string>
        {
            [CoalaModelWriter.TrainingVariantKey] = ck.Config.Variant,
            [CoalaModelWriter.TrainingEpochKey] = ck.Epoch.ToString(CultureInfo.InvariantCulture),
            [CoalaModelWriter.TrainingVocabularySizeKey] = ck.Config.VocabularySize.ToString(CultureInfo.InvariantCulture),
        };
        CoalaModelWriter.WriteEncoder(outputPath, weights, frontend, scaler, meta);
        if (tagWeights is null) return null;
        string tagPath = CoalaModelWriter.TagModelPath(outputPath);
        if (ck.Config.TagCounts.Length == ck.Config.VocabularySize)
            meta[CoalaModelWriter.TagCountsKey] = System.Text.Json.JsonSerializer.Serialize(ck.Config.TagCounts);
        CoalaModelWriter.WriteTagModel(tagPath, tagWeights, ck.Config.Vocabulary, weights, meta);
        return tagPath;
    }

    /// <summary>
    /// The tag encoder, tag head and audio head of an AE-C or E-C checkpoint (the heads' outputs are what the
    /// contrastive loss compares), validated against the checkpoint's vocabulary.
    /// </summary>
    internal static TagModelWeights ToTagModelWeights(TrainingCheckpoint ck, string? source = null)
    {
        var variant = ck.Config.ParsedVariant;
        if (variant == CoalaVariant.Cnn)
            throw new CoalaException("a CNN checkpoint has no tag encoder or contrastive heads: tag models come from AE-C or E-C checkpoints", source);
        if (!ck.Networks.TryGetValue("tag_encoder", out var tagNet))
            throw new CoalaException($"checkpoint of variant {ck.Config.Variant} has no 'tag_encoder' weights", source);
        if (!ck.Networks.TryGetValue("audio_encoder", out var audioNet))
            throw new CoalaException($"checkpoint of variant {ck.Config.Variant} has no 'audio_encoder' weights", source);
        return ToTagModelWeights(tagNet, audioNet, ck.Config.VocabularySize, ck.Config.Vocabulary, source);
    }

    /// <summary>
    /// The tag model's weights from a tag encoder's state dict (<c>tag_encoder.*</c>, <c>fc_tag.0.weight</c>) and the audio
    /// encoder's head (<c>fc_audio.0.weight</c>), validated against <paramref name="vocabulary"/>.
    /// </summary>
    internal static TagModelWeights ToTagModelWeights(Dictionary<string, StoredTensor> tagNet, Dictionary<string, StoredTensor> audioNet,
        int v, IReadOnlyList<string> vocabulary, string? source)
    {
        if (vocabulary.Count == 0)
            throw new CoalaException("the checkpoint stores no vocabulary words (trained without a vocabulary), so its tags cannot be named", source);
        if (vocabulary.Count != v)
            throw new CoalaException($"checkpoint stores {vocabulary.Count} vocabulary words for a vocabulary of {v}", source);
        var w = new TagModelWeights(v);
        void Take(Dictionary<string, StoredTensor> from, string key)
        {
            if (!from.TryGetValue(key, out var t)) throw new CoalaException($"checkpoint lacks tensor '{key}'", source);
            w.Tensors[key] = new WeightTensor(t.Shape.Select(d => checked((int)d)).ToArray(), t.AsFloats());
        }
        for (int l = 0; l < TagModelWeights.LinearIndices.Length; l++)
        {
            Take(tagNet, TagModelWeights.LinearName(l) + ".weight");
            Take(tagNet, TagModelWeights.LinearName(l) + ".bias");
            foreach (var n in new[] { "weight", "bias", "running_mean", "running_var" })
                Take(tagNet, $"{TagModelWeights.BatchNormName(l)}.{n}");
        }
        Take(tagNet, TagModelWeights.TagHead);
        Take(audioNet, TagModelWeights.AudioHead);
        try
        {
            w.Validate();
            CoalaModelWriter.ValidateVocabulary(vocabulary, v);
        }
        catch (CoalaException e) { throw new CoalaException(e.Message, source, e); }
        return w;
    }

    /// <summary>The checkpoint's exported encoder weights, validated.</summary>
    internal static EncoderWeights ToEncoderWeights(TrainingCheckpoint ck, string? source = null)
    {
        var variant = ck.Config.ParsedVariant;
        string part = variant == CoalaVariant.Cnn ? "cnn" : "audio_encoder";
        string prefix = variant == CoalaVariant.Cnn ? "encoder." : "audio_encoder.";
        if (!ck.Networks.TryGetValue(part, out var stored))
            throw new CoalaException($"checkpoint of variant {ck.Config.Variant} has no '{part}' weights", source);
        return ToEncoderWeights(stored, prefix, source);
    }

    /// <summary>The eval-mode weights of live networks (for callers that hold them, e.g. tests).</summary>
    internal static EncoderWeights ToEncoderWeights(CoalaNetworks networks) =>
        ToEncoderWeights(TrainingCheckpoint.CaptureModule(networks.ExportedEncoderPart), networks.ExportedEncoderPrefix, null);

    /// <summary>Encoder weights from a state dict whose convolution stack is under <paramref name="prefix"/> ("audio_encoder." or "encoder.").</summary>
    internal static EncoderWeights ToEncoderWeights(Dictionary<string, StoredTensor> stored, string prefix, string? source)
    {
        var w = new EncoderWeights();
        for (int b = 0; b < EncoderWeights.Blocks; b++)
        {
            foreach (var (from, to) in new[] { (b * 4, EncoderWeights.ConvName(b)), (b * 4 + 1, EncoderWeights.BatchNormName(b)) })
            {
                string[] names = from % 4 == 0 ? ["weight", "bias"] : ["weight", "bias", "running_mean", "running_var"];
                foreach (var n in names)
                {
                    string key = $"{prefix}{from}.{n}";
                    if (!stored.TryGetValue(key, out var t))
                        throw new CoalaException($"checkpoint lacks encoder tensor '{key}'", source);
                    w.Tensors[$"{to}.{n}"] = new WeightTensor(t.Shape.Select(d => checked((int)d)).ToArray(), t.AsFloats());
                }
            }
        }
        try { w.Validate(); }
        catch (CoalaException e) { throw new CoalaException(e.Message, source, e); }
        return w;
    }

    internal static FrontendSettings FrontendOf(RunConfig config, string? source = null) =>
        FrontendSettings.FromMetadata(config.Frontend, source);

    internal static MinMaxScaler ScalerOf(RunConfig config, string? source = null)
    {
        try { return new MinMaxScaler(config.ScalerMin, config.ScalerMax); }
        catch (ArgumentException e) { throw new CoalaException($"checkpoint scaler is invalid: {e.Message}", source, e); }
        catch (CoalaException e) { throw new CoalaException(e.Message, source, e); }
    }

    /// <summary>Rebuilds the checkpoint's networks (CPU) with its weights, in eval mode.</summary>
    internal static CoalaNetworks LoadNetworks(TrainingCheckpoint ck, string? source = null)
    {
        var nets = new CoalaNetworks(ck.Config.ParsedVariant, ck.Config.VocabularySize, ck.Config.Dropout);
        try { ck.ApplyTo(nets, source); }
        catch { nets.Dispose(); throw; }
        nets.Train(false);
        return nets;
    }
}
