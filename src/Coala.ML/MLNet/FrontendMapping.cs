using System.Collections.Concurrent;
using Coala.ML.Features;
using Coala.ML.Model;

namespace Coala.ML.MLNet;

/// <summary>
/// The audio → log-mel-patches step of the ML.NET pipeline, as <c>CustomMapping</c> factories so that
/// <c>mlContext.Model.Save/Load</c> can re-create it by contract name (ML.NET keeps its own save machinery internal).
/// A contract name fixes the input kind and the frontend; only the reference frontend (22 000 Hz, n_fft 1024, hop 512,
/// 96 mels, 96-frame patches) with a Hann or Hamming window can be named this way. The factories are the
/// <c>*Factory</c> classes beside this file, the rows they map the <c>*Row</c> classes.
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
