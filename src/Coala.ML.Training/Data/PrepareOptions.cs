using Coala.ML.Features;
using Coala.ML.Training.Data;

namespace Coala.ML.Training;

/// <summary>
/// Options of <see cref="PreparedCorpus.Prepare"/> (<c>coala prepare</c>): where the clips and their tags are, where the
/// corpus goes, and the reference's tag and split rules (defaults are the paper's).
/// </summary>
public sealed record PrepareOptions
{
    /// <summary>A tag CSV (<c>path,tags</c>, Freesound style; paths relative to the CSV); with <see cref="Folder"/> or alone.</summary>
    public string? CsvPath { get; init; }
    /// <summary>A folder of audio files tagged by the words of their relative paths; with <see cref="CsvPath"/> or alone.</summary>
    public string? Folder { get; init; }
    /// <summary>The corpus folder to write (created; an up-to-date corpus there is kept as is).</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Tags on fewer clips are dropped (reference: 10).</summary>
    public int MinCount { get; init; } = 10;
    /// <summary>At most this many tags, the most frequent (reference: 1000).</summary>
    public int MaxVocabulary { get; init; } = 1000;
    /// <summary>Tags on more than this share of the clips are dropped (reference: 0.7).</summary>
    public double MaxShare { get; init; } = 0.7;
    /// <summary>Seed of the train/validation split.</summary>
    public int Seed { get; init; }
    /// <summary>Share of clips for validation (reference: 0.1).</summary>
    public double ValidationShare { get; init; } = 0.1;
    /// <summary>Files decoded at once.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>
    /// Clips whose patches have a mean-removed cosine similarity above this with an earlier kept clip are dropped
    /// as near-duplicates; 0 disables the check.
    /// </summary>
    public double NearDuplicateThreshold { get; init; } = DefaultNearDuplicateThreshold;

    /// <summary>The default of <see cref="NearDuplicateThreshold"/>.</summary>
    public const double DefaultNearDuplicateThreshold = NearDuplicates.DefaultThreshold;
    /// <summary>
    /// Training patches a clip may give: its highest-energy patch (the reference, 1) and then further non-overlapping
    /// windows inside the clip. Validation keeps one patch per clip.
    /// </summary>
    public int PatchesPerClip { get; init; } = 1;
    /// <summary>The log-mel frontend the patches are computed with (recorded in the corpus and in exported models).</summary>
    public FrontendSettings Frontend { get; init; } = FrontendSettings.Default;
}
