using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Coala.ML.Export;

/// <summary>Builders of ONNX protobuf pieces (nodes, attributes, tensors, value infos) shared by the model writers.</summary>
internal static class OnnxProto
{
    internal static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var n = new NodeProto { OpType = op, Name = outputs[0] + "_" + op.ToLowerInvariant() };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        return n;
    }

    internal static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    internal static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    internal static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>
    /// Adds the caller's extra metadata to <paramref name="meta"/>: keys must be non-empty, values non-null, and no
    /// key the writer set itself may be overridden.
    /// </summary>
    internal static void AddExtraMetadata(Dictionary<string, string> meta, IReadOnlyDictionary<string, string>? extra)
    {
        if (extra is null) return;
        foreach (var (k, v) in extra)
        {
            if (string.IsNullOrEmpty(k) || v is null)
                throw new CoalaException("extra model metadata needs non-empty keys and non-null values");
            if (!meta.TryAdd(k, v))
                throw new CoalaException($"extra model metadata may not override '{k}'");
        }
    }

    /// <summary>Replaces the model's metadata_props with <paramref name="meta"/>, sorted by key (so files are repeatable).</summary>
    internal static void SetMetadata(ModelProto model, IReadOnlyDictionary<string, string> meta)
    {
        model.MetadataProps.Clear();
        foreach (var (k, v) in meta.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
    }

    /// <summary>
    /// The values of a float tensor, from <c>float_data</c> or little-endian <c>raw_data</c>; false when the tensor is
    /// not float32 or its raw bytes are not whole floats.
    /// </summary>
    internal static bool TryFloatValues(TensorProto t, out float[] values)
    {
        values = [];
        if (t.DataType != (int)TensorProto.Types.DataType.Float) return false;
        if (t.FloatData.Count > 0) { values = t.FloatData.ToArray(); return true; }
        var raw = t.RawData.Span;
        if (raw.Length % 4 != 0) return false;
        values = MemoryMarshal.Cast<byte, float>(raw).ToArray();
        return true;
    }

    internal static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length) throw new CoalaException($"tensor '{name}' has {values.Length} values for {count} elements");
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        // ONNX raw_data is little-endian, as is every platform .NET's ONNX Runtime runs on.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing ONNX needs a little-endian platform");
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    /// <summary>A tensor of 1-byte (int8, uint8) or 4-byte (int32) elements from their little-endian bytes.</summary>
    internal static TensorProto RawTensor(string name, TensorProto.Types.DataType type, long[] dims, ReadOnlySpan<byte> bytes)
    {
        int size = type switch
        {
            TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 => 1,
            TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Float => 4,
            _ => throw new ArgumentException($"unsupported raw tensor type {type}"),
        };
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count * size != bytes.Length) throw new CoalaException($"tensor '{name}' has {bytes.Length} bytes for {count} elements of {size} byte(s)");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing ONNX needs a little-endian platform");
        var t = new TensorProto { Name = name, DataType = (int)type };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    internal static TensorProto Int64Tensor(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    internal static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };
    internal static TensorShapeProto.Types.Dimension DimParam(string name) => new() { DimParam = name };

    internal static ValueInfoProto TensorInfo(string name, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
