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
