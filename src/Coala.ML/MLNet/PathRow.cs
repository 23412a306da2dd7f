using Microsoft.ML.Data;

namespace Coala.ML.MLNet;

/// <summary>Row holding a file path. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class PathRow
{
    /// <summary>The audio file's path.</summary>
    [ColumnName(FrontendMapping.AudioColumn)] public string? Audio { get; set; }
}
