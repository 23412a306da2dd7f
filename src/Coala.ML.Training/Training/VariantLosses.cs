using Coala.ML.Training.Losses;
using Coala.ML.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Coala.ML.Training.Training;

/// <summary>One batch's losses; components a variant does not use are <c>null</c>.</summary>
internal sealed record BatchLosses(Tensor Objective, Tensor? AudioKl, Tensor? TagBce, Tensor? Contrastive, Tensor? Reconstruction);

/// <summary>The forward pass and losses of each variant, as the reference trainers.</summary>
internal static class VariantLosses
{
    /// <param name="n">the variant's networks (train or eval mode as the caller set).</param>
    /// <param name="c">loss weights and temperature.</param>
    /// <param name="x">[N, 1, 96, 96] scaled patches.</param>
    /// <param name="tags">[N, V] multi-hot tags.</param>
    public static BatchLosses Compute(CoalaNetworks n, RunConfig c, Tensor x, Tensor tags)
    {
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
                var obj = kl * c.AudioLossWeight + bce * c.TagLossWeight + con * c.ContrastiveLossWeight;
                return new BatchLosses(obj, kl, bce, con, xRecon);
            }
            case CoalaVariant.EC:
            {
                var (_, zdAudio) = n.AudioEncoder!.forward(x);
                var (_, zdTags) = n.TagEncoder!.forward(tags);
                var con = CoalaLosses.Contrastive(zdAudio, zdTags, c.Temperature);
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
