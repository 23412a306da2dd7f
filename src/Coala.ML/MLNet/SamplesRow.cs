using Microsoft.ML.Data;

namespace Coala.ML.MLNet;

/// <summary>Row holding samples at the model's rate. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class SamplesRow
{
    /// <summary>Mono samples in [-1, 1] at the model's rate.</summary>
    [ColumnName(FrontendMapping.AudioColumn)] [VectorType] public float[]? Audio { get; set; }
}
