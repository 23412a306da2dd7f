namespace Coala.ML.Evaluation;

/// <summary>What FSDD clips are labelled with.</summary>
public enum FsddTarget { Digit, Speaker }
