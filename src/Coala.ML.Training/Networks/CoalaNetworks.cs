using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Coala.ML.Training.Networks;

/// <summary>
/// The networks one variant trains. Each is a separate module whose state-dict keys equal the reference's
/// (the reference saves <c>audio_encoder_epoch_N.pt</c> etc. one module each); <see cref="Parts"/> names them.
/// </summary>
internal sealed class CoalaNetworks : IDisposable
{
    public CoalaVariant Variant { get; }
    public int Vocabulary { get; }
    public AudioEncoder? AudioEncoder { get; }
    public AudioDecoder? AudioDecoder { get; }
    public TagEncoder? TagEncoder { get; }
    public TagDecoder? TagDecoder { get; }
    public Cnn? Cnn { get; }

    /// <summary>(name, module) in a fixed order: audio_encoder, audio_decoder, tag_encoder, tag_decoder or cnn.</summary>
    public IReadOnlyList<(string Name, nn.Module Module)> Parts { get; }

    public CoalaNetworks(CoalaVariant variant, int vocabulary = CoalaShapes.DefaultVocabulary, double dropout = CoalaShapes.DefaultDropout)
    {
        if (vocabulary < 1) throw new CoalaException($"vocabulary size {vocabulary} must be at least 1");
        Variant = variant;
        Vocabulary = vocabulary;
        var parts = new List<(string, nn.Module)>();
        switch (variant)
        {
            case CoalaVariant.AeC:
                parts.Add(("audio_encoder", AudioEncoder = new AudioEncoder(dropout)));
                parts.Add(("audio_decoder", AudioDecoder = new AudioDecoder(dropout)));
                parts.Add(("tag_encoder", TagEncoder = new TagEncoder(vocabulary, dropout)));
                parts.Add(("tag_decoder", TagDecoder = new TagDecoder(vocabulary, dropout)));
                break;
            case CoalaVariant.EC:
                parts.Add(("audio_encoder", AudioEncoder = new AudioEncoder(dropout)));
                parts.Add(("tag_encoder", TagEncoder = new TagEncoder(vocabulary, dropout)));
                break;
            case CoalaVariant.Cnn:
                parts.Add(("cnn", Cnn = new Cnn(vocabulary, dropout)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(variant));
        }
        Parts = parts;
    }

    /// <summary>The convolutional stack that becomes the exported encoder (audio_encoder, or the CNN's encoder).</summary>
    public Sequential ExportedEncoder => AudioEncoder?.Encoder ?? Cnn!.Encoder;

    /// <summary>Prefix of the exported encoder's keys in its part's state dict ("audio_encoder." or "encoder.").</summary>
    public string ExportedEncoderPrefix => Variant == CoalaVariant.Cnn ? "encoder." : "audio_encoder.";

    /// <summary>The part holding the exported encoder.</summary>
    public nn.Module ExportedEncoderPart => (nn.Module?)AudioEncoder ?? Cnn!;

    /// <summary>
    /// Prior initialisation: the bias before the tag output's sigmoid (AE-C: the tag decoder's last BatchNorm shift;
    /// CNN: its head's last bias) becomes logit(frequency) of each tag, frequencies clipped to [1e-4, 1 - 1e-4].
    /// E-C has no tag output: returns false and changes nothing.
    /// </summary>
    public bool InitialiseTagPriors(IReadOnlyList<double> frequencies)
    {
        if (frequencies.Count != Vocabulary)
            throw new ArgumentException($"{frequencies.Count} tag frequencies for a vocabulary of {Vocabulary}", nameof(frequencies));
        var logits = frequencies.Select(f => { double p = Math.Clamp(f, 1e-4, 1 - 1e-4); return (float)Math.Log(p / (1 - p)); }).ToArray();
        if (TagDecoder is not null) TagDecoder.SetOutputBias(logits);
        else if (Cnn is not null) Cnn.SetOutputBias(logits);
        else return false;
        return true;
    }

    public IEnumerable<Parameter> Parameters() => Parts.SelectMany(p => p.Module.parameters());

    public void Train(bool training)
    {
        foreach (var (_, m) in Parts) m.train(training);
    }

    public void To(Device device)
    {
        foreach (var (_, m) in Parts) m.to(device);
    }

    public void Dispose()
    {
        foreach (var (_, m) in Parts) m.Dispose();
    }
}
