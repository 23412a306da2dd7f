using System.Globalization;
using Coala.ML.Export;
using Coala.ML.Features;
using Onnx;

namespace Coala.ML.Model;

/// <summary>
/// A COALA encoder ONNX model read from disk and checked: its metadata gives the frontend it needs, its input is
/// <c>coala_logmel</c> <c>[1, L]</c> float and its outputs <c>coala_mean</c>/<c>coala_std</c> are
/// <c>[EmbeddingDim]</c>. Parsing needs no ONNX Runtime session; <see cref="CoalaEmbedder(CoalaModel, CoalaEmbedderOptions?)"/> runs it.
/// </summary>
public sealed class CoalaModel
{
    /// <summary>The coala.format_version values this version reads.</summary>
    public static IReadOnlyList<int> SupportedFormatVersions { get; } = [OnnxEncoderWriter.FormatVersion];

    /// <summary>The largest embedding_dim read (1152 for the reference patches; vectors are allocated from it).</summary>
    public const int MaxEmbeddingDim = 1 << 16;

    /// <summary>The file the model was read from.</summary>
    public string Path { get; }
    /// <summary>The model file's bytes, as given to ONNX Runtime.</summary>
    internal byte[] Bytes { get; }
    /// <summary>The frontend recorded in the model's metadata.</summary>
    public FrontendSettings Frontend { get; }
    /// <summary>Size of each of the mean and std embeddings (1152 for the reference 96 x 96 patches).</summary>
    public int EmbeddingDim { get; }
    /// <summary>The file format version (<c>coala.format_version</c>).</summary>
    public int FormatVersion { get; }
    /// <summary>coala.architecture, or <c>null</c> when the model does not say.</summary>
    public string? Architecture { get; }
    /// <summary>The quantization scheme (<c>coala.quantization</c>, e.g. int8-qlinearconv-v1), or <c>null</c> for an fp32 encoder.</summary>
    public string? Quantization => Metadata.TryGetValue(EncoderQuantizer.KeyQuantization, out var q) ? q : null;
    /// <summary>The per-band scaler fitted on the model's training set, as the graph applies it.</summary>
    public MinMaxScaler Scaler => _scaler ??= MinMaxScaler.FromGraph(_scalerConstants, Path);
    private MinMaxScaler? _scaler;
    /// <summary>The graph's two scaler constants, kept when the model is parsed so that <see cref="Scaler"/> need not parse it again.</summary>
    private readonly GraphProto _scalerConstants;

    /// <summary>All metadata_props of the model.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Values one patch holds (bands x frames).</summary>
    public int PatchValues => Frontend.MelBands * Frontend.PatchFrames;

    /// <summary>Whether the graph has the per-window output <see cref="OnnxEncoderWriter.WindowsOutput"/> ([P, dim]; files written before 2026-12-05 lack it).</summary>
    public bool HasWindowsOutput { get; private init; }

    private CoalaModel(string path, byte[] bytes, FrontendSettings frontend, int dim, int formatVersion,
        IReadOnlyDictionary<string, string> metadata, GraphProto scalerConstants)
    {
        _scalerConstants = scalerConstants;
        Path = path;
        Bytes = bytes;
        Frontend = frontend;
        EmbeddingDim = dim;
        FormatVersion = formatVersion;
        Metadata = metadata;
        Architecture = metadata.TryGetValue(OnnxEncoderWriter.KeyArchitecture, out var a) ? a : null;
    }

    /// <summary>Reads and checks a model file.</summary>
    /// <exception cref="CoalaException">the file is missing, unreadable, not ONNX, or not a valid COALA encoder; names the file.</exception>
    public static CoalaModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = ModelFile.Read(path, "model", "model file not found");
        return FromBytes(bytes, path);
    }

    /// <summary>Checks model bytes; <paramref name="path"/> names them in errors.</summary>
    internal static CoalaModel FromBytes(byte[] bytes, string path)
    {
        var (model, meta) = ModelFile.Parse(bytes, path, "model");

        if (meta.TryGetValue(OnnxEncoderWriter.KeyArchitecture, out var arch) && arch == OnnxTagModelWriter.Architecture)
            throw new CoalaException("this is a Coala.ML tag model (.tags.onnx), not an audio encoder: pass the encoder it was exported beside", path);

        string Require(string key) => meta.TryGetValue(key, out var v)
            ? v
            : throw new CoalaException($"model metadata lacks '{key}': not a Coala.ML model, or written by an incompatible version", path);

        int formatVersion = ModelFile.FormatVersion(Require(OnnxEncoderWriter.KeyFormatVersion), OnnxEncoderWriter.KeyFormatVersion, SupportedFormatVersions, path);

        var frontend = FrontendSettings.FromMetadata(meta, path);

        int dim = ModelFile.PositiveInt(Require(OnnxEncoderWriter.KeyEmbeddingDim), OnnxEncoderWriter.KeyEmbeddingDim, MaxEmbeddingDim, "model", path);

        var g = model.Graph;
        CheckInput(g, path);
        CheckOutput(g, OnnxEncoderWriter.MeanOutput, dim, path);
        CheckOutput(g, OnnxEncoderWriter.StdOutput, dim, path);
        CheckInitializers(g, frontend, path);
        bool windows = g.Output.Any(o => o.Name == OnnxEncoderWriter.WindowsOutput);
        if (windows) CheckWindowsOutput(g, dim, path);

        var scalerConstants = new GraphProto();
        scalerConstants.Initializer.AddRange(g.Initializer.Where(i => i.Name is MinMaxScaler.GraphMinName or MinMaxScaler.GraphScaleName));
        return new CoalaModel(path, bytes, frontend, dim, formatVersion, meta, scalerConstants) { HasWindowsOutput = windows };
    }

    private static void CheckWindowsOutput(GraphProto g, int dim, string path)
    {
        var dims = TensorDims(g.Output.First(o => o.Name == OnnxEncoderWriter.WindowsOutput), path);
        bool ok = dims.Count == 2 && dims[0].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                  && dims[1].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[1].DimValue == dim;
        if (!ok)
            throw new CoalaException($"output '{OnnxEncoderWriter.WindowsOutput}' has shape {Shape(dims)}; expected [P, {dim}] with P symbolic", path);
    }

    private static void CheckInput(GraphProto g, string path)
    {
        var initializers = g.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = g.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        var input = inputs.FirstOrDefault(i => i.Name == OnnxEncoderWriter.InputName);
        if (input is null)
            throw new CoalaException($"the model has no input '{OnnxEncoderWriter.InputName}' (inputs: {Names(inputs)})", path);
        if (inputs.Count != 1)
            throw new CoalaException($"the model has {inputs.Count} inputs ({Names(inputs)}); expected only '{OnnxEncoderWriter.InputName}'", path);
        var dims = TensorDims(input, path);
        bool ok = dims.Count == 2
                  && dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[0].DimValue == 1
                  && dims[1].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue;
        if (!ok)
            throw new CoalaException($"input '{input.Name}' has shape {Shape(dims)}; expected [1, L] with L symbolic (patches x bands x frames)", path);
    }

    private static void CheckOutput(GraphProto g, string name, int dim, string path)
    {
        var output = g.Output.FirstOrDefault(o => o.Name == name)
            ?? throw new CoalaException($"the model has no output '{name}' (outputs: {Names(g.Output)})", path);
        var dims = TensorDims(output, path);
        bool ok = dims.Count == 1 && dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                  && dims[0].DimValue == dim;
        if (!ok)
            throw new CoalaException($"output '{name}' has shape {Shape(dims)}; expected [{dim}] ({OnnxEncoderWriter.KeyEmbeddingDim})", path);
    }

    private static void CheckInitializers(GraphProto g, FrontendSettings frontend, string path)
    {
        int bands = frontend.MelBands, frames = frontend.PatchFrames;
        foreach (var name in new[] { MinMaxScaler.GraphMinName, MinMaxScaler.GraphScaleName })
        {
            var t = g.Initializer.FirstOrDefault(i => i.Name == name)
                ?? throw new CoalaException($"the model lacks the scaler constant '{name}'", path);
            long count = t.Dims.Aggregate(1L, (a, b) => a * b);
            if (count != bands)
                throw new CoalaException($"the model's scaler constant '{name}' has {count} bands but its metadata says {FrontendSettings.KeyMelBands} = {bands}: frontend and graph do not match", path);
        }
        var shape = g.Initializer.FirstOrDefault(i => i.Name == OnnxEncoderWriter.PatchShapeName)
            ?? throw new CoalaException($"the model lacks the patch shape constant '{OnnxEncoderWriter.PatchShapeName}'", path);
        long[] expected = [-1, 1, bands, frames];
        if (!shape.Int64Data.SequenceEqual(expected) && !RawInt64(shape).SequenceEqual(expected))
            throw new CoalaException($"the model reshapes its input to [{string.Join(", ", shape.Int64Data.Count > 0 ? shape.Int64Data : RawInt64(shape))}] but its metadata says patches of {bands} bands x {frames} frames: frontend and graph do not match", path);
    }

    private static long[] RawInt64(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Int64 || t.RawData.Length % 8 != 0) return [];
        var span = t.RawData.Span;
        var values = new long[span.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToInt64(span.Slice(i * 8, 8));
        return values;
    }

    private static IList<TensorShapeProto.Types.Dimension> TensorDims(ValueInfoProto v, string path)
    {
        var tensor = v.Type?.TensorType;
        if (tensor is null || tensor.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new CoalaException($"'{v.Name}' is not a float tensor", path);
        return tensor.Shape?.Dim ?? (IList<TensorShapeProto.Types.Dimension>)Array.Empty<TensorShapeProto.Types.Dimension>();
    }

    private static string Names(IEnumerable<ValueInfoProto> values)
    {
        var names = values.Select(v => v.Name).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static string Shape(IEnumerable<TensorShapeProto.Types.Dimension> dims) =>
        "[" + string.Join(", ", dims.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        })) + "]";
}
