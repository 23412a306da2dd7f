using Coala.ML.Export;
using Microsoft.ML.Data;

namespace Coala.ML.MLNet;

/// <summary>The encoder's input: unscaled log-mel patches of one clip. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class PatchesRow
{
    /// <summary>The clip's patches, [patch, band, frame] flattened.</summary>
    [ColumnName(OnnxEncoderWriter.InputName)] [VectorType] public float[] LogMel { get; set; } = [];
}
