using Coala.ML.Features;
using Microsoft.ML.Transforms;

namespace Coala.ML.MLNet;

/// <summary>
/// The frontend mapping for sample input at the model's rate, Hann window. ML.NET finds it by its contract name when a saved
/// model is loaded (one factory per input kind and window); public because ML.NET instantiates it by reflection.
/// </summary>
[CustomMappingFactoryAttribute("Coala.ML.Frontend.Samples.Hann.v1")]
public sealed class SamplesHannFactory : CustomMappingFactory<SamplesRow, PatchesRow>
{
    /// <inheritdoc />
    public override Action<SamplesRow, PatchesRow> GetMapping() => FrontendMapping.SamplesMap(FrontendMapping.SourceFor(WindowKind.Hann));
}
