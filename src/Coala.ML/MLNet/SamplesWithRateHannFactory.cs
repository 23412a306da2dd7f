using Coala.ML.Features;
using Microsoft.ML.Transforms;

namespace Coala.ML.MLNet;

/// <summary>
/// The frontend mapping for sample input with a rate column, Hann window. ML.NET finds it by its contract name when a saved
/// model is loaded (one factory per input kind and window); public because ML.NET instantiates it by reflection.
/// </summary>
[CustomMappingFactoryAttribute("Coala.ML.Frontend.SamplesWithRate.Hann.v1")]
public sealed class SamplesWithRateHannFactory : CustomMappingFactory<SamplesWithRateRow, PatchesRow>
{
    /// <inheritdoc />
    public override Action<SamplesWithRateRow, PatchesRow> GetMapping() => FrontendMapping.RateMap(FrontendMapping.SourceFor(WindowKind.Hann));
}
