namespace Coala.ML.Training;

/// <summary>One tag and the number of clips that carry it.</summary>
public readonly record struct TagCount(string Tag, int Clips);
