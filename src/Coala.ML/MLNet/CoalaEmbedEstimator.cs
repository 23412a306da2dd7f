using Coala.ML.Export;
using Coala.ML.Features;
using Coala.ML.MLNet;
using Coala.ML.Model;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Coala.ML;

/// <summary>
/// Turns audio (file paths or sample vectors) into COALA embeddings for any ML.NET trainer.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Does this estimator need to look at the data to train its parameters?</term><description>No</description></item>
/// <item><term>Input column data type</term><description><see cref="string"/> (file path) or vector of <see cref="float"/> (mono samples)</description></item>
/// <item><term>Output column data type</term><description>Known-sized vector of <see cref="float"/>: 1152 (mean pooling) or 2304 (mean and std)</description></item>
/// <item><term>Exportable to ONNX</term><description>No</description></item>
/// </list>
/// The estimator is a chain of ML.NET's own transforms (column copy, custom mapping for the audio frontend,
/// ONNX Runtime for the encoder, concatenation, column drop), so a fitted model saves and loads like any other.
/// Before <c>mlContext.Model.Load</c> of a saved pipeline, register this assembly once:
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(CoalaEmbedEstimator).Assembly)</c>.
/// <c>MLContext.GpuDeviceId</c> and <c>MLContext.FallbackToCpu</c> choose the ONNX Runtime execution provider.
/// </remarks>
public sealed class CoalaEmbedEstimator : IEstimator<ITransformer>
{
    private readonly TransformsCatalog _catalog;
    private readonly CoalaEmbedOptions _options;
    private readonly CoalaModel _model;

    internal CoalaEmbedEstimator(TransformsCatalog catalog, CoalaEmbedOptions options)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (string.IsNullOrWhiteSpace(options.InputColumnName)) throw new ArgumentException("CoalaEmbedOptions.InputColumnName is empty", nameof(options));
        if (string.IsNullOrWhiteSpace(options.OutputColumnName)) throw new ArgumentException("CoalaEmbedOptions.OutputColumnName is empty", nameof(options));
        if (options.Pooling is not (CoalaPooling.Mean or CoalaPooling.MeanAndStd))
            throw new ArgumentException($"CoalaEmbed pools each clip into one vector (Pooling Mean or MeanAndStd); for per-window vectors (Pooling {options.Pooling}) use CoalaEmbedder.EmbedFileWindows", nameof(options));
        _model = CoalaModel.Load(ModelLocator.Resolve(options.ModelPath));
        OnnxRuntimeNative.EnsureLoaded(_model.Path);
        if (!FrontendMapping.Supports(_model.Frontend))
            throw new CoalaException(
                "this model's frontend (" + string.Join(", ", _model.Frontend.ToMetadata().Select(kv => $"{kv.Key}={kv.Value}")) +
                ") differs from the reference frontend that the ML.NET transform can save and reload; use CoalaEmbedder instead",
                _model.Path);
    }

    /// <summary>Length of the output vector.</summary>
    public int Dimension => _model.EmbeddingDim * (_options.Pooling == CoalaPooling.MeanAndStd ? 2 : 1);

    /// <inheritdoc />
    public ITransformer Fit(IDataView input)
    {
        var kind = CheckInput(input.Schema.Select(c => (c.Name, (DataViewType?)c.Type)));
        return BuildChain(kind).Fit(input);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var kind = CheckInput(inputSchema.Select(c => (c.Name, ShapeType(c))));
        return BuildChain(kind).GetOutputSchema(inputSchema);
    }

    private static DataViewType? ShapeType(SchemaShape.Column c) => c.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => c.ItemType,
        SchemaShape.Column.VectorKind.VariableVector => new VectorDataViewType((PrimitiveDataViewType)c.ItemType),
        _ => c.ItemType is PrimitiveDataViewType p ? new VectorDataViewType(p, 1) : null,
    };

    private FrontendMapping.InputKind CheckInput(IEnumerable<(string Name, DataViewType? Type)> columns)
    {
        var byName = columns.GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.Last().Type);
        if (!byName.TryGetValue(_options.InputColumnName, out var type))
            throw new ArgumentOutOfRangeException(nameof(CoalaEmbedOptions.InputColumnName),
                $"input column '{_options.InputColumnName}' not found in the data");
        if (type is TextDataViewType)
        {
            if (_options.SampleRateColumnName != null)
                throw new ArgumentException($"SampleRateColumnName '{_options.SampleRateColumnName}' applies to sample-vector input, but '{_options.InputColumnName}' holds file paths (String)");
            return FrontendMapping.InputKind.Path;
        }
        if (type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float))
        {
            if (_options.SampleRateColumnName is null) return FrontendMapping.InputKind.Samples;
            if (!byName.TryGetValue(_options.SampleRateColumnName, out var rateType))
                throw new ArgumentOutOfRangeException(nameof(CoalaEmbedOptions.SampleRateColumnName),
                    $"sample-rate column '{_options.SampleRateColumnName}' not found in the data");
            if (rateType is not NumberDataViewType)
                throw new ArgumentOutOfRangeException(nameof(CoalaEmbedOptions.SampleRateColumnName),
                    $"sample-rate column '{_options.SampleRateColumnName}': expected a number, got {rateType}");
            return FrontendMapping.InputKind.SamplesWithRate;
        }
        throw new ArgumentOutOfRangeException(nameof(CoalaEmbedOptions.InputColumnName),
            $"input column '{_options.InputColumnName}': expected String (a file path) or a vector of Single (samples), got {type}");
    }

    private IEstimator<ITransformer> BuildChain(FrontendMapping.InputKind kind)
    {
        var t = _catalog;
        var window = _model.Frontend.Window;
        string contract = FrontendMapping.ContractName(kind, window);
        var source = FrontendMapping.SourceFor(window);
        var temps = new List<string> { FrontendMapping.AudioColumn, OnnxEncoderWriter.InputName };

        IEstimator<ITransformer> chain = t.CopyColumns(FrontendMapping.AudioColumn, _options.InputColumnName);
        switch (kind)
        {
            case FrontendMapping.InputKind.Path:
                chain = chain.Append(t.CustomMapping(FrontendMapping.PathMap(source), contract));
                break;
            case FrontendMapping.InputKind.Samples:
                chain = chain.Append(t.CustomMapping(FrontendMapping.SamplesMap(source), contract));
                break;
            default:
                temps.Add(FrontendMapping.RateColumn);
                chain = chain
                    .Append(t.Conversion.ConvertType(FrontendMapping.RateColumn, _options.SampleRateColumnName, DataKind.Single))
                    .Append(t.CustomMapping(FrontendMapping.RateMap(source), contract));
                break;
        }

        var outputs = _options.Pooling == CoalaPooling.MeanAndStd
            ? new[] { OnnxEncoderWriter.MeanOutput, OnnxEncoderWriter.StdOutput }
            : new[] { OnnxEncoderWriter.MeanOutput };
        temps.AddRange(outputs);
        return chain
            // gpuDeviceId null: ML.NET then takes MLContext.GpuDeviceId and FallbackToCpu.
            .Append(t.ApplyOnnxModel(outputs, [OnnxEncoderWriter.InputName], new MemoryStream(_model.Bytes, writable: false)))
            .Append(t.Concatenate(_options.OutputColumnName, outputs))
            .Append(t.DropColumns(temps.Where(c => c != _options.OutputColumnName && c != _options.InputColumnName).ToArray()));
    }
}
