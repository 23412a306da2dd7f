using System.Collections.Concurrent;
using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.Model;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Coala.ML.MLNet;

/// <summary>
/// The audio → log-mel-patches step of the ML.NET pipeline, as <c>CustomMapping</c> factories so that
/// <c>mlContext.Model.Save/Load</c> can re-create it by contract name (ML.NET keeps its own save machinery internal).
/// A contract name fixes the input kind and the frontend; only the reference frontend (22 000 Hz, n_fft 1024, hop 512,
/// 96 mels, 96-frame patches) with a Hann or Hamming window can be named this way.
/// </summary>
internal static class FrontendMapping
{
    public const string AudioColumn = "__coala_audio";
    public const string RateColumn = "__coala_rate";

    public enum InputKind { Path, Samples, SamplesWithRate }

    public static string ContractName(InputKind kind, WindowKind window) => $"Coala.ML.Frontend.{kind}.{window}.v1";

    /// <summary>True when the ML.NET transform can reproduce this model's frontend after a Save/Load.</summary>
    public static bool Supports(FrontendSettings s) =>
        s with { Window = WindowKind.Hann, FMax = s.EffectiveFMax } == FrontendSettings.Default with { FMax = FrontendSettings.Default.EffectiveFMax };

    private static readonly ConcurrentDictionary<WindowKind, PatchSource> Sources = new();

    public static PatchSource SourceFor(WindowKind window) =>
        Sources.GetOrAdd(window, w => new PatchSource(FrontendSettings.Default with { Window = w }));

    internal static Action<PathRow, PatchesRow> PathMap(PatchSource src) =>
        (i, o) => o.LogMel = src.FromFile(i.Audio ?? throw new CoalaException("the audio path is missing (null)"), out _);

    internal static Action<SamplesRow, PatchesRow> SamplesMap(PatchSource src) =>
        (i, o) => o.LogMel = src.FromSamples(i.Audio ?? [], src.Settings.SampleRate, "samples", out _);

    internal static Action<SamplesWithRateRow, PatchesRow> RateMap(PatchSource src) =>
        (i, o) => o.LogMel = src.FromSamples(i.Audio ?? [], checked((int)MathF.Round(i.Rate)), "samples", out _);
}

/// <summary>Row holding a file path. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class PathRow { [ColumnName(FrontendMapping.AudioColumn)] public string? Audio { get; set; } }

/// <summary>Row holding samples at the model's rate. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class SamplesRow { [ColumnName(FrontendMapping.AudioColumn)] [VectorType] public float[]? Audio { get; set; } }

/// <summary>Row holding samples and their rate. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class SamplesWithRateRow
{
    [ColumnName(FrontendMapping.AudioColumn)] [VectorType] public float[]? Audio { get; set; }
    [ColumnName(FrontendMapping.RateColumn)] public float Rate { get; set; }
}

/// <summary>The encoder's input: unscaled log-mel patches of one clip. Public only because ML.NET's CustomMapping needs it.</summary>
public sealed class PatchesRow { [ColumnName(OnnxEncoderWriter.InputName)] [VectorType] public float[] LogMel { get; set; } = []; }

// One factory per (input kind, window): ML.NET finds them by contract name when a saved model is loaded.
// They are public because ML.NET instantiates them by reflection.
#pragma warning disable CS1591
[CustomMappingFactoryAttribute("Coala.ML.Frontend.Path.Hann.v1")]
public sealed class PathHannFactory : CustomMappingFactory<PathRow, PatchesRow>
{ public override Action<PathRow, PatchesRow> GetMapping() => FrontendMapping.PathMap(FrontendMapping.SourceFor(WindowKind.Hann)); }

[CustomMappingFactoryAttribute("Coala.ML.Frontend.Path.Hamming.v1")]
public sealed class PathHammingFactory : CustomMappingFactory<PathRow, PatchesRow>
{ public override Action<PathRow, PatchesRow> GetMapping() => FrontendMapping.PathMap(FrontendMapping.SourceFor(WindowKind.Hamming)); }

[CustomMappingFactoryAttribute("Coala.ML.Frontend.Samples.Hann.v1")]
public sealed class SamplesHannFactory : CustomMappingFactory<SamplesRow, PatchesRow>
{ public override Action<SamplesRow, PatchesRow> GetMapping() => FrontendMapping.SamplesMap(FrontendMapping.SourceFor(WindowKind.Hann)); }

[CustomMappingFactoryAttribute("Coala.ML.Frontend.Samples.Hamming.v1")]
public sealed class SamplesHammingFactory : CustomMappingFactory<SamplesRow, PatchesRow>
{ public override Action<SamplesRow, PatchesRow> GetMapping() => FrontendMapping.SamplesMap(FrontendMapping.SourceFor(WindowKind.Hamming)); }

[CustomMappingFactoryAttribute("Coala.ML.Frontend.SamplesWithRate.Hann.v1")]
public sealed class SamplesWithRateHannFactory : CustomMappingFactory<SamplesWithRateRow, PatchesRow>
{ public override Action<SamplesWithRateRow, PatchesRow> GetMapping() => FrontendMapping.RateMap(FrontendMapping.SourceFor(WindowKind.Hann)); }

[CustomMappingFactoryAttribute("Coala.ML.Frontend.SamplesWithRate.Hamming.v1")]
public sealed class SamplesWithRateHammingFactory : CustomMappingFactory<SamplesWithRateRow, PatchesRow>
{ public override Action<SamplesWithRateRow, PatchesRow> GetMapping() => FrontendMapping.RateMap(FrontendMapping.SourceFor(WindowKind.Hamming)); }
#pragma warning restore CS1591
