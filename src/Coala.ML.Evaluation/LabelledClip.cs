namespace Coala.ML.Evaluation;

/// <summary>One audio file and its class.</summary>
public sealed record LabelledClip(string Path, string Label);
