using System.Security.Cryptography;
using System.Text.Json;
using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Training.Networks;
using Coala.ML.Training.Reference;
using TorchSharp;

namespace Coala.ML.Training;

/// <summary>
/// Imports the paper's released models from a clone of the reference repository (xavierfav/coala, MIT) into
/// Coala.ML's ONNX format: the audio encoder (<c>saved_models/{dual_ae_c,dual_e_c}/audio_encoder_epoch_200.pt</c> or
/// <c>saved_models/cnn/audio_encoder_epoch_20.pt</c>) with the reference's scaler (<c>scaler_top_1000.pkl</c>) in the
/// graph and its frontend in the metadata, and for AE-C / E-C the tag model (<c>tag_encoder_epoch_200.pt</c> with
/// the audio head, vocabulary <c>json/id2token_top_1000.json</c>) beside it.
/// The convolutions see each patch as [frames, bands], as the released weights were trained (docs/REFERENCE.md).
/// </summary>
public static class ReferenceImporter
{
    internal const string ScalerFile = "scaler_top_1000.pkl";
    internal const string VocabularyFile = "json/id2token_top_1000.json";
    internal const int Vocabulary = 1000;

    internal const string KeySource = "coala.reference.source";
    internal const string KeySha256 = "coala.reference.sha256";
    internal const string KeyLicense = "coala.reference.license";

    /// <summary>The reference's frontend (utils.compute_spectrogram): 22000 Hz, n_fft 1024, hop 512, 96 mel bands, Hann, log(x + eps).</summary>
    internal static FrontendSettings Frontend { get; } = new()
    {
        SampleRate = FrontendSettings.ReferenceSampleRate, FftSize = FrontendSettings.ReferenceFftSize, HopLength = FrontendSettings.ReferenceHopLength, MelBands = 96, PatchFrames = 96, Window = WindowKind.Hann,
        LogEpsilon = 1.1920929e-07f, FMin = 0f, FMax = null,
    };

    /// <summary>The state-dict files of a variant, relative to the clone.</summary>
    internal static (string Audio, string? Tags) Files(CoalaVariant variant) => variant switch
    {
        CoalaVariant.AeC => ("saved_models/dual_ae_c/audio_encoder_epoch_200.pt", "saved_models/dual_ae_c/tag_encoder_epoch_200.pt"),
        CoalaVariant.EC => ("saved_models/dual_e_c/audio_encoder_epoch_200.pt", "saved_models/dual_e_c/tag_encoder_epoch_200.pt"),
        CoalaVariant.Cnn => ("saved_models/cnn/audio_encoder_epoch_20.pt", null),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>
    /// Writes the encoder to <paramref name="output"/> and, when <paramref name="tags"/> and the variant has a tag
    /// encoder, the tag model to <c>&lt;name&gt;.tags.onnx</c>. Everything is read and checked before anything is written.
    /// </summary>
    /// <returns>The written paths (tag model null when not written).</returns>
    /// <exception cref="CoalaException">a file missing or unreadable, or weights that do not fit the reference's modules.</exception>
    public static (string Encoder, string? TagModel) Import(string repo, CoalaVariant variant, string output, bool tags = true)
    {
        if (!Directory.Exists(repo)) throw new CoalaException("the reference clone's folder does not exist", repo);
        var (audioRel, tagRel) = Files(variant);
        string audioPath = Path.Combine(repo, audioRel);
        if (!File.Exists(audioPath))
            throw new CoalaException($"not found: {audioRel} (a full clone of xavierfav/coala has it)", audioPath);
        var scaler = SklearnScalerFile.Read(Path.Combine(repo, ScalerFile));
        if (scaler.Bands != Frontend.MelBands)
            throw new CoalaException($"the scaler has {scaler.Bands} features, the reference's patches {Frontend.MelBands} mel bands", Path.Combine(repo, ScalerFile));

        Dictionary<string, StoredTensor> audio;
        EncoderWeights encoder;
        using (var scope = torch.NewDisposeScope())
        {
            if (variant == CoalaVariant.Cnn)
            {
                using var cnn = new Cnn(Vocabulary);
                PyTorchStateDict.LoadInto(cnn, audioPath, "CNN");
                audio = TrainingCheckpoint.CaptureModule(cnn);
                encoder = CheckpointExporter.ToEncoderWeights(audio, "encoder.", audioPath);
            }
            else
            {
                using var enc = new AudioEncoder();
                PyTorchStateDict.LoadInto(enc, audioPath, "AudioEncoder");
                audio = TrainingCheckpoint.CaptureModule(enc);
                encoder = CheckpointExporter.ToEncoderWeights(audio, "audio_encoder.", audioPath);
            }
        }

        TagModelWeights? tagWeights = null;
        string[]? words = null;
        string? tagPath = tagRel is null ? null : Path.Combine(repo, tagRel);
        if (tags && tagPath is not null)
        {
            if (!File.Exists(tagPath)) throw new CoalaException($"not found: {tagRel} (or import without the tag model)", tagPath);
            words = ReadVocabulary(Path.Combine(repo, VocabularyFile));
            using var tagEncoder = new TagEncoder(Vocabulary);
            PyTorchStateDict.LoadInto(tagEncoder, tagPath, "TagEncoder");
            var tagNet = TrainingCheckpoint.CaptureModule(tagEncoder);
            tagWeights = CheckpointExporter.ToTagModelWeights(tagNet, audio, Vocabulary, words, tagPath);
        }

        var meta = new Dictionary<string, string>
        {
            [CoalaModelWriter.TrainingVariantKey] = CoalaVariants.Name(variant),
            [KeySource] = "xavierfav/coala " + audioRel,
            [KeySha256] = Sha256(audioPath),
            [KeyLicense] = "MIT (xavierfav/coala)",
        };
        CoalaModelWriter.WriteEncoder(output, encoder, Frontend, scaler, meta, framesByBands: true);
        if (tagWeights is null) return (output, null);
        string tagOut = CoalaModelWriter.TagModelPath(output);
        var tagMeta = new Dictionary<string, string>
        {
            [CoalaModelWriter.TrainingVariantKey] = CoalaVariants.Name(variant),
            [KeySource] = "xavierfav/coala " + tagRel + " (tag side), " + audioRel + " (fc_audio)",
            [KeySha256] = Sha256(tagPath!),
            [KeyLicense] = "MIT (xavierfav/coala)",
        };
        CoalaModelWriter.WriteTagModel(tagOut, tagWeights, words!, encoder, tagMeta);
        return (output, tagOut);
    }

    /// <summary>The words of <c>id2token_top_1000.json</c> ({"0": "close", ...}) in index order.</summary>
    internal static string[] ReadVocabulary(string path)
    {
        if (!File.Exists(path)) throw new CoalaException("vocabulary file not found", path);
        Dictionary<string, string>? map;
        try { map = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new CoalaException($"not a JSON object of index -> word: {e.Message}", path, e); }
        if (map is null || map.Count == 0) throw new CoalaException("the vocabulary is empty", path);
        var words = new string[map.Count];
        foreach (var (k, w) in map)
        {
            if (!int.TryParse(k, out int i) || i < 0 || i >= words.Length || words[i] is not null)
                throw new CoalaException($"vocabulary key '{k}' is not one of 0..{words.Length - 1} exactly once", path);
            words[i] = w;
        }
        CoalaModelWriter.ValidateVocabulary(words, words.Length, path);
        return words;
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f)).ToLowerInvariant();
    }
}
