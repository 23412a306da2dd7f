namespace Coala.ML.Training;

/// <summary>manifest.json: what a prepared corpus holds and how it was made.</summary>
public sealed record CorpusManifest
{
    /// <summary>The corpus layout's version; readers refuse others.</summary>
    public int FormatVersion { get; init; }
    /// <summary>When the corpus was written (ISO 8601, UTC).</summary>
    public string Created { get; init; } = "";
    /// <summary><see cref="Coala.ML.Features.FrontendSettings.ToMetadata"/> of the frontend that made the patches.</summary>
    public Dictionary<string, string> Frontend { get; init; } = [];
    /// <summary>Names the patch extraction (part of the cache key and input hash).</summary>
    public string Extractor { get; init; } = "";
    /// <summary>Mel bands of each patch.</summary>
    public int Bands { get; init; }
    /// <summary>Frames of each patch.</summary>
    public int Frames { get; init; }
    /// <summary>Rows (patches) of the corpus: <see cref="Train"/> + <see cref="Validation"/>.</summary>
    public int Clips { get; init; }
    /// <summary>Training rows: one per training clip, or up to <see cref="PatchesPerClip"/> per clip.</summary>
    public int Train { get; init; }
    /// <summary>Validation rows, always one per validation clip (its first patch).</summary>
    public int Validation { get; init; }
    /// <summary>The most patches a training clip gave (<c>--patches-per-clip</c>; 1 by default and in older corpora).</summary>
    public int PatchesPerClip { get; init; } = 1;
    /// <summary>Training clips, written where <see cref="PatchesPerClip"/> &gt; 1 (else equal to <see cref="Train"/>).</summary>
    public int? TrainClips { get; init; }
    /// <summary>Items left out (see the corpus's dropped.tsv).</summary>
    public int Dropped { get; init; }
    /// <summary>Items left out per <see cref="DropCategory"/>.</summary>
    public Dictionary<string, int> DroppedByCategory { get; init; } = [];
    /// <summary>Tags in the vocabulary.</summary>
    public int VocabularySize { get; init; }
    /// <summary>Seed of the split.</summary>
    public int Seed { get; init; }
    /// <summary><see cref="PrepareOptions.MinCount"/> used.</summary>
    public int MinCount { get; init; }
    /// <summary><see cref="PrepareOptions.MaxVocabulary"/> used.</summary>
    public int MaxVocabulary { get; init; }
    /// <summary><see cref="PrepareOptions.MaxShare"/> used.</summary>
    public double MaxShare { get; init; }
    /// <summary><see cref="PrepareOptions.ValidationShare"/> used.</summary>
    public double ValidationShare { get; init; }
    /// <summary>The tag CSV, if one was given.</summary>
    public string? Csv { get; init; }
    /// <summary>The audio folder, if one was given.</summary>
    public string? Folder { get; init; }
    /// <summary>SHA-256 (hex) of the inputs (listed files with size and time, their tags) and every option.</summary>
    public string InputHash { get; init; } = "";
    /// <summary>Size of patches.f32 (a check on open).</summary>
    public long PatchesBytes { get; init; }
    /// <summary>Size of labels.u8 (a check on open).</summary>
    public long LabelsBytes { get; init; }
}
