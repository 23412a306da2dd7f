using Coala.ML.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Coala.ML.Training.Losses;

/// <summary>One batch's losses; components a variant does not use are <c>null</c>.</summary>
internal sealed record BatchLosses(Tensor Objective, Tensor? AudioKl, Tensor? TagBce, Tensor? Contrastive, Tensor? Reconstruction)
{
    /// <summary>NT-Xent between two augmented views of the same patches (the optional audio-to-audio term), or <c>null</c>.</summary>
    public Tensor? AudioContrast { get; init; }
}

/// <summary>The forward pass and losses of each variant, as the reference trainers.</summary>
internal static class VariantLosses
{
    /// <param name="n">the variant's networks (train or eval mode as the caller set).</param>
    /// <param name="c">loss weights and temperature.</param>
    /// <param name="x">[N, 1, 96, 96] scaled patches.</param>
    /// <param name="tags">[N, V] multi-hot tags.</param>
    /// <param name="view2">a second augmented view of the same patches, for the audio-to-audio contrast term
    /// (weight <see cref="RunConfig.AudioContrastWeight"/>; AE-C and E-C), or <c>null</c>.</param>
    public static BatchLosses Compute(CoalaNetworks n, RunConfig c, Tensor x, Tensor tags, Tensor? view2 = null)
    {
        var l = PaperLosses(n, c, x, tags, out var zdAudio);
        if (view2 is null || c.AudioContrastWeight <= 0 || zdAudio is null) return l;
        var (_, zd2) = n.AudioEncoder!.forward(view2);
        var audioContrast = CoalaLosses.Contrastive(zdAudio, zd2, c.Temperature);
        return l with { Objective = l.Objective + audioContrast * c.AudioContrastWeight, AudioContrast = audioContrast };
    }

    private static BatchLosses PaperLosses(CoalaNetworks n, RunConfig c, Tensor x, Tensor tags, out Tensor? zdAudioOut)
    {
        zdAudioOut = null;
        switch (n.Variant)
        {
            case CoalaVariant.AeC:
            {
                var (zAudio, zdAudio) = n.AudioEncoder!.forward(x);
                var (zTags, zdTags) = n.TagEncoder!.forward(tags);
                var xRecon = n.AudioDecoder!.forward(zAudio);
                var kl = CoalaLosses.GeneralizedKullbackLeibler(xRecon, x);
                var bce = CoalaLosses.BinaryCrossEntropy(n.TagDecoder!.forward(zTags), tags);
                var con = CoalaLosses.Contrastive(zdAudio, zdTags, c.Temperature);
                zdAudioOut = zdAudio;
                var obj = kl * c.AudioLossWeight + bce * c.TagLossWeight + con * c.ContrastiveLossWeight;
                return new BatchLosses(obj, kl, bce, con, xRecon);
            }
            case CoalaVariant.EC:
            {
                var (_, zdAudio) = n.AudioEncoder!.forward(x);
                var (_, zdTags) = n.TagEncoder!.forward(tags);
                var con = CoalaLosses.Contrastive(zdAudio, zdTags, c.Temperature);
                zdAudioOut = zdAudio;
                return new BatchLosses(con * c.ContrastiveLossWeight, null, null, con, null);
            }
            case CoalaVariant.Cnn:
            {
                var (_, y) = n.Cnn!.forward(x);
                var bce = CoalaLosses.BinaryCrossEntropy(y, tags);
                return new BatchLosses(bce, null, bce, null, null);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(n));
        }
    }
}
