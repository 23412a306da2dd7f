using System.Globalization;
using Coala.ML.IO;
using Onnx;

namespace Coala.ML.Model;

/// <summary>
/// What every Coala.ML model loader (encoder, tag model) checks before ONNX Runtime sees the bytes: the file is a
/// regular file of at most <see cref="MaxBytes"/>, and no tensor reads its data from another file.
/// </summary>
internal static class ModelFile
{
    /// <summary>The largest model file read (the shipped encoders are about 1.4 MB; the limit leaves room for far larger ones).</summary>
    public const long MaxBytes = 512L << 20;

    /// <summary>Reads a model file whole, after checking that it is a regular file no larger than <see cref="MaxBytes"/>.</summary>
    /// <param name="path">the model file.</param>
    /// <param name="what">"model" or "tag model", for messages.</param>
    /// <param name="notFound">the message for a missing file.</param>
    public static byte[] Read(string path, string what, string notFound)
    {
        try
        {
            var status = FileStatus.Of(path);
            switch (status.Kind)
            {
                case FileKind.Missing: throw new CoalaException(notFound, path);
                case FileKind.Directory: throw new CoalaException($"is a folder, not a {what} file", path);
                case not FileKind.Regular:
                    throw new CoalaException($"is {FileStatus.Describe(status.Kind)}, not a regular file; a {what} must be a regular file", path);
            }
            long length = new FileInfo(path).Length;
            if (length > MaxBytes)
                throw new CoalaException($"the {what} file is {length / (1 << 20)} MB, over the {MaxBytes >> 20} MB this version reads (Coala.ML models are a few MB); not read", path);
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CoalaException($"cannot read the {what} file: {e.Message}", path, e);
        }
    }

    /// <summary>
    /// Parses model bytes as every loader does: not empty, ONNX with an IR version, an opset and a non-empty graph, no
    /// external data; returns the model and its metadata. <paramref name="what"/> ("model", "tag model") names it in messages.
    /// </summary>
    public static (ModelProto Model, Dictionary<string, string> Metadata) Parse(byte[] bytes, string path, string what)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0) throw new CoalaException($"the {what} file is empty", path);
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (Exception e) { throw new CoalaException($"not an ONNX model ({e.GetType().Name}: {e.Message})", path, e); }
        // Protobuf happily parses many byte strings as unknown fields; a real model has a version, an opset and a graph.
        if (model.IrVersion <= 0 || model.Graph is null || model.OpsetImport.Count == 0 || model.Graph.Node.Count == 0)
            throw new CoalaException("not an ONNX model (no IR version, opset import or graph)", path);
        RejectExternalData(model, path, what);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in model.MetadataProps) meta[p.Key] = p.Value;
        return (model, meta);
    }

    /// <summary>The metadata's format version under <paramref name="key"/>, which must be one of <paramref name="supported"/>.</summary>
    public static int FormatVersion(string value, string key, IReadOnlyList<int> supported, string path) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && supported.Contains(v)
            ? v
            : throw new CoalaException($"unsupported {key} '{value}' (this version reads {string.Join(", ", supported)})", path);

    /// <summary>A positive integer of at most <paramref name="max"/> from the <paramref name="what"/>'s metadata key <paramref name="key"/>.</summary>
    public static int PositiveInt(string value, string key, int max, string what, string path) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 && n <= max
            ? n
            : throw new CoalaException($"{what} metadata '{key}' = '{value}' is not a positive integer of at most {max}", path);

    /// <summary>
    /// Fails when any tensor of the model (initializers, sparse initializers, constants in node attributes, in every
    /// subgraph) keeps its data in an external file: ONNX Runtime would read that file relative to the working
    /// directory when the model is loaded from bytes, and a Coala.ML model never uses external data.
    /// </summary>
    public static void RejectExternalData(ModelProto model, string path, string what)
    {
        if (model.Graph is { } g) CheckGraph(g, path, what);
    }

    private static void CheckGraph(GraphProto g, string path, string what)
    {
        foreach (var t in g.Initializer) CheckTensor(t, path, what);
        foreach (var s in g.SparseInitializer) CheckSparse(s, path, what);
        foreach (var node in g.Node)
            foreach (var a in node.Attribute)
            {
                if (a.T is { } t) CheckTensor(t, path, what);
                foreach (var x in a.Tensors) CheckTensor(x, path, what);
                if (a.SparseTensor is { } s) CheckSparse(s, path, what);
                foreach (var x in a.SparseTensors) CheckSparse(x, path, what);
                if (a.G is { } sub) CheckGraph(sub, path, what);
                foreach (var x in a.Graphs) CheckGraph(x, path, what);
            }
    }

    private static void CheckSparse(SparseTensorProto s, string path, string what)
    {
        if (s.Values is { } v) CheckTensor(v, path, what);
        if (s.Indices is { } i) CheckTensor(i, path, what);
    }

    private static void CheckTensor(TensorProto t, string path, string what)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
        {
            string location = t.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value ?? "?";
            throw new CoalaException($"the {what}'s tensor '{t.Name}' keeps its data in an external file ('{location}'); " +
                $"Coala.ML {what}s hold all their data, and a model that reads other files is refused", path);
        }
    }
}
