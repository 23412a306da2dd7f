using Microsoft.ML.Data;

namespace Coala.ML.MLNet;

/// <summary>Row holding samples at the model's rate. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class SamplesRow { [ColumnName(FrontendMapping.AudioColumn)] [VectorType] public float[]? Audio { get; set; } }
