using Microsoft.ML.Data;

namespace Coala.ML.MLNet;

/// <summary>Row holding samples and their rate. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class SamplesWithRateRow
{
    /// <summary>Mono samples in [-1, 1].</summary>
    [ColumnName(FrontendMapping.AudioColumn)] [VectorType] public float[]? Audio { get; set; }
    /// <summary>Their sample rate in Hz.</summary>
    [ColumnName(FrontendMapping.RateColumn)] public float Rate { get; set; }
}
