
namespace Coala.ML.Evaluation;

/// <summary>A model to analyse: the column name in the table and the ONNX file.</summary>
public sealed record CorrelationModel(string Name, string Path);
