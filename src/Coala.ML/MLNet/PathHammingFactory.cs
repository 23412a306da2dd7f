using Coala.ML.Features;
using Microsoft.ML.Transforms;

namespace Coala.ML.MLNet;

/// <summary>
/// The frontend mapping for file-path input, Hamming window. ML.NET finds it by its contract name when a saved
/// model is loaded (one factory per input kind and window); public because ML.NET instantiates it by reflection.
/// </summary>
[CustomMappingFactoryAttribute("Coala.ML.Frontend.Path.Hamming.v1")]
public sealed class PathHammingFactory : CustomMappingFactory<PathRow, PatchesRow>
{
    /// <inheritdoc />
    public override Action<PathRow, PatchesRow> GetMapping() => FrontendMapping.PathMap(FrontendMapping.SourceFor(WindowKind.Hamming));
}
