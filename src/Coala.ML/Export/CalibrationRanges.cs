namespace Coala.ML.Export;

/// <summary>What calibration saw: per stage, the range of the activations that stage's int8 tensor must hold.</summary>
/// <param name="Min">per stage: 0 = the scaled patches (input of block 0), b + 1 = the output of block b (after ReLU).</param>
/// <param name="Max">as <paramref name="Min"/>.</param>
/// <param name="Files">files that gave patches.</param>
/// <param name="Patches">patches run through the fp32 encoder.</param>
/// <param name="Skipped">files that could not be read, with why.</param>
public sealed record CalibrationRanges(float[] Min, float[] Max, int Files, long Patches, IReadOnlyList<(string Path, string Error)> Skipped);
