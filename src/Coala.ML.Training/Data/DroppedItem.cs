namespace Coala.ML.Training;

/// <summary>Something left out of the corpus (a clip, or a CSV line given as "file:line"), why, and the kind of reason.</summary>
/// <param name="Path">The clip's full path, or "csv:line" for a rejected CSV row.</param>
/// <param name="Reason">Human-readable reason (a <see cref="CoalaException"/> message for audio failures).</param>
/// <param name="Category">One of <see cref="DropCategory"/>'s values, for summaries.</param>
public sealed record DroppedItem(string Path, string Reason, string Category);
