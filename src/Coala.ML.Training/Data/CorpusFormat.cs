using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coala.ML.Training.Data;

/// <summary>
/// The on-disk layout of a prepared corpus (written by <see cref="CorpusPreparer"/>, read by <see cref="PreparedCorpus"/>).
/// Rows are ordered training clips first, then validation clips.
/// </summary>
internal static class CorpusFiles
{
    /// <summary>Bumped whenever the layout changes; readers refuse other versions.</summary>
    public const int FormatVersion = 1;

    /// <summary>float32 little-endian, [N, bands, frames], unscaled log-mel patches.</summary>
    public const string Patches = "patches.f32";
    /// <summary>bytes 0/1, [N, V] multi-hot tags.</summary>
    public const string Labels = "labels.u8";
    /// <summary>One tag a line, in label-index order (most frequent first).</summary>
    public const string Vocabulary = "vocabulary.txt";
    /// <summary>JSON { bands, min[], max[] }: per-band min-max scaler fitted on the training split (<see cref="Coala.ML.Features.MinMaxScaler.ToJson"/>).</summary>
    public const string Scaler = "scaler.json";
    /// <summary>TSV: index, split, path, tags (space-separated).</summary>
    public const string Clips = "clips.tsv";
    /// <summary>TSV: path, category, reason.</summary>
    public const string Dropped = "dropped.tsv";
    /// <summary>JSON <see cref="CorpusManifest"/>; written last, so its presence means the corpus is complete.</summary>
    public const string Manifest = "manifest.json";
    /// <summary>The per-file decoding cache kept between runs (see <see cref="PatchCache"/>).</summary>
    public const string Cache = "patch-cache.bin";

    public const string TrainSplit = "train";
    public const string ValidationSplit = "validation";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>manifest.json: what a prepared corpus holds and how it was made.</summary>
internal sealed record CorpusManifest
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
