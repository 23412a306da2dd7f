namespace Coala.ML.Training;

/// <summary>manifest.json: what a prepared corpus holds and how it was made.</summary>
public sealed record CorpusManifest
{
    public int FormatVersion { get; init; }
    public string Created { get; init; } = "";
    /// <summary><see cref="Coala.ML.Features.FrontendSettings.ToMetadata"/> of the frontend that made the patches.</summary>
    public Dictionary<string, string> Frontend { get; init; } = [];
    public string Extractor { get; init; } = "";
    public int Bands { get; init; }
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
    public int Dropped { get; init; }
    public Dictionary<string, int> DroppedByCategory { get; init; } = [];
    public int VocabularySize { get; init; }
    public int Seed { get; init; }
    public int MinCount { get; init; }
    public int MaxVocabulary { get; init; }
    public double MaxShare { get; init; }
    public double ValidationShare { get; init; }
    public string? Csv { get; init; }
    public string? Folder { get; init; }
    /// <summary>SHA-256 (hex) of the inputs (listed files with size and time, their tags) and every option.</summary>
    public string InputHash { get; init; } = "";
    public long PatchesBytes { get; init; }
    public long LabelsBytes { get; init; }
}
