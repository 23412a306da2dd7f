namespace Coala.ML.Training;

/// <summary>A progress report of <see cref="PreparedCorpus.Prepare"/>: <paramref name="Done"/> of <paramref name="Total"/> files decoded, <paramref name="Failed"/> failed, <paramref name="FromCache"/> from the cache.</summary>
public readonly record struct PrepareProgress(int Done, int Total, int Failed, int FromCache);
