using Microsoft.ML.Data;

namespace Coala.ML.MLNet;

/// <summary>Row holding a file path. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class PathRow { [ColumnName(FrontendMapping.AudioColumn)] public string? Audio { get; set; } }
