namespace Coala.ML.Training.Model;

/// <summary>The paper's learned variants.</summary>
internal enum CoalaVariant
{
    /// <summary>AE-C: audio and tag autoencoders aligned by a contrastive loss on their heads.</summary>
    AeC,
    /// <summary>E-C: the two encoders and heads only, trained by the contrastive loss alone.</summary>
    EC,
    /// <summary>CNN: the audio encoder with a tag-prediction head, trained by BCE on the tags.</summary>
    Cnn,
}

/// <summary>Names of the variants as the CLI and checkpoints spell them.</summary>
internal static class CoalaVariants
{
    public static string Name(CoalaVariant v) => v switch
    {
        CoalaVariant.AeC => "aec",
        CoalaVariant.EC => "ec",
        CoalaVariant.Cnn => "cnn",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    public static CoalaVariant Parse(string s, string? source = null) => s.Trim().ToLowerInvariant() switch
    {
        "aec" or "ae-c" or "dual_ae_c" => CoalaVariant.AeC,
        "ec" or "e-c" or "dual_e_c" => CoalaVariant.EC,
        "cnn" => CoalaVariant.Cnn,
        _ => throw new CoalaException($"unknown variant '{s}' (expected aec, ec or cnn)", source),
    };
}
