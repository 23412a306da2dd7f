using TorchSharp;
using static TorchSharp.torch;

namespace Coala.ML.Training.Losses;

/// <summary>
/// The reference losses (xavierfav/coala utils.py and the trainers), with the same reductions.
/// </summary>
internal static class CoalaLosses
{
    /// <summary>Added inside the logs of the KL divergence and the contrastive ratio, as the reference.</summary>
    public const double Epsilon = 1e-5;

    /// <summary>
    /// Generalised Kullback-Leibler divergence <c>(y (log(y+eps) - log(ŷ+eps)) + (ŷ - y)).sum(-1).mean()</c>.
    /// For [N, 1, 96, 96] inputs the sum runs over the last axis (frames) and the mean over all the rest.
    /// </summary>
    public static Tensor GeneralizedKullbackLeibler(Tensor yHat, Tensor y)
    {
        using var scope = NewDisposeScope();
        var d = y * ((y + Epsilon).log() - (yHat + Epsilon).log()) + (yHat - y);
        return d.sum(-1).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Binary cross-entropy, mean over all elements (torch.nn.BCELoss()).</summary>
    public static Tensor BinaryCrossEntropy(Tensor yHat, Tensor y) =>
        nn.functional.binary_cross_entropy(yHat, y, reduction: nn.Reduction.Mean);

    /// <summary>
    /// NT-Xent contrastive loss (reference <c>contrastive_loss</c>): with z = cat(zAudio, zTag) ([2N, D]),
    /// s = exp(cos(z_i, z_j) / t) with a zero diagonal, the positive pair of row i is its counterpart in the
    /// other modality; loss = -log(s_pos / sum_j s_ij + 1e-5), mean over the 2N rows.
    /// </summary>
    public static Tensor Contrastive(Tensor zAudio, Tensor zTag, double temperature)
    {
        using var scope = NewDisposeScope();
        var z = cat(new[] { zAudio, zTag }, 0);
        long twoN = z.shape[0];
        long n = twoN / 2;
        var norms = z.norm(1, false, 2);
        var s = z.matmul(z.t()) / (norms.unsqueeze(0) * norms.unsqueeze(1));
        s = (s / temperature).exp();
        s = s * (1 - eye(twoN, dtype: s.dtype, device: s.device));
        var denom = s.sum(-1);
        var num = cat(new[] { s[..(int)n, (int)n..].diag(), s[(int)n.., ..(int)n].diag() }, 0);
        return (num / denom + Epsilon).log().neg().mean().MoveToOuterDisposeScope();
    }
}
