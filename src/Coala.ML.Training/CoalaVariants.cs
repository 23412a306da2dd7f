namespace Coala.ML.Training;

/// <summary>Names of the variants as the CLI and checkpoints spell them.</summary>
public static class CoalaVariants
{
    /// <summary>aec, ec or cnn.</summary>
    public static string Name(CoalaVariant v) => v switch
    {
        CoalaVariant.AeC => "aec",
        CoalaVariant.EC => "ec",
        CoalaVariant.Cnn => "cnn",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    /// <summary>Reads aec/ae-c, ec/e-c or cnn (any case); anything else is a <see cref="CoalaException"/> naming <paramref name="source"/>.</summary>
    public static CoalaVariant Parse(string s, string? source = null) => s.Trim().ToLowerInvariant() switch
    {
        "aec" or "ae-c" or "dual_ae_c" => CoalaVariant.AeC,
        "ec" or "e-c" or "dual_e_c" => CoalaVariant.EC,
        "cnn" => CoalaVariant.Cnn,
        _ => throw new CoalaException($"unknown variant '{s}' (expected aec, ec or cnn)", source),
    };
}
