using System.Collections;
using System.Runtime.InteropServices;
using Coala.ML.Features;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace Coala.ML.Training.Reference;

/// <summary>
/// Reads a pickled scikit-learn <c>MinMaxScaler</c> (xavierfav/coala's <c>scaler_top_1000.pkl</c>: 96 features, one per
/// mel band, fitted on the training patches) as our <see cref="MinMaxScaler"/>. The pickle is read with
/// Razorvine.Pickle; its numpy arrays (<c>numpy.core.multiarray._reconstruct</c> + <c>__setstate__</c> with shape, dtype
/// and raw bytes) are decoded here for little-endian float32/float64 vectors, the only kind a fitted scaler holds.
/// No class named in the file is instantiated: the scaler itself becomes a plain dictionary of its attributes.
/// </summary>
internal static class SklearnScalerFile
{
    static SklearnScalerFile()
    {
        Unpickler.registerConstructor("numpy.core.multiarray", "_reconstruct", new NdArrayConstructor());
        Unpickler.registerConstructor("numpy", "dtype", new DTypeConstructor());
    }

    /// <summary>The scaler's per-feature minima and maxima (<c>data_min_</c>, <c>data_max_</c>).</summary>
    /// <exception cref="CoalaException">unreadable file, not a fitted MinMaxScaler, or a feature range other than (0, 1).</exception>
    public static MinMaxScaler Read(string path)
    {
        if (!File.Exists(path)) throw new CoalaException("scaler file not found", path);
        object root;
        try
        {
            using var f = File.OpenRead(path);
            root = new Unpickler().load(f);
        }
        catch (PickleException e) { throw new CoalaException($"cannot read the scaler pickle: {e.Message}", path, e); }
        catch (InvalidCastException e) { throw new CoalaException($"unexpected content in the scaler pickle: {e.Message}", path, e); }
        catch (EndOfStreamException e) { throw new CoalaException("the scaler pickle is truncated", path, e); }
        if (root is not ClassDict cd || cd.ClassName != "sklearn.preprocessing._data.MinMaxScaler" && cd.ClassName != "sklearn.preprocessing.data.MinMaxScaler")
            throw new CoalaException($"not a pickled scikit-learn MinMaxScaler (holds {(root as ClassDict)?.ClassName ?? root?.GetType().Name ?? "null"})", path);
        if (cd["feature_range"] is not object[] range || range.Length != 2 || Convert.ToDouble(range[0]) != 0 || Convert.ToDouble(range[1]) != 1)
            throw new CoalaException("the scaler's feature_range is not (0, 1)", path);
        float[] Vector(string key) => cd.ContainsKey(key) && cd[key] is NdArray a
            ? a.Values(key, path)
            : throw new CoalaException($"the scaler has no '{key}' array (not fitted?)", path);
        float[] min = Vector("data_min_"), max = Vector("data_max_");
        if (min.Length != max.Length) throw new CoalaException($"the scaler's data_min_ ({min.Length}) and data_max_ ({max.Length}) differ in length", path);
        try { return new MinMaxScaler(min, max); }
        catch (CoalaException e) { throw new CoalaException(e.Message, path, e); }
    }

    private sealed class DType(string code)
    {
        public string Code { get; } = code;
        public char ByteOrder { get; private set; } = '|';
        public void __setstate__(object[] state)
        {
            if (state.Length > 1 && state[1] is string order && order.Length == 1) ByteOrder = order[0];
        }
    }

    private sealed class DTypeConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new DType(args.Length > 0 ? Convert.ToString(args[0]) ?? "" : "");
    }

    private sealed class NdArray
    {
        private object[]? _state;
        public void __setstate__(object[] state) => _state = state;

        public float[] Values(string key, string path)
        {
            // (version, shape, dtype, is_fortran, raw bytes)
            if (_state is not { Length: 5 } s || s[1] is not object[] shape || s[2] is not DType dtype || s[4] is not byte[] raw)
                throw new CoalaException($"the scaler's '{key}' is not a numpy array in the expected pickle form", path);
            if (shape.Length != 1) throw new CoalaException($"the scaler's '{key}' has {shape.Length} dimensions, expected 1", path);
            long n = Convert.ToInt64(shape[0]);
            if (dtype.ByteOrder == '>') throw new CoalaException($"the scaler's '{key}' is big-endian", path);
            float[] v = dtype.Code switch
            {
                "f4" when raw.Length == n * 4 => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
                "f8" when raw.Length == n * 8 => MemoryMarshal.Cast<byte, double>(raw).ToArray().Select(d => (float)d).ToArray(),
                _ => throw new CoalaException($"the scaler's '{key}' is of numpy type {dtype.Code} with {raw.Length} bytes for {n} values (expected f4 or f8)", path),
            };
            return v;
        }
    }

    private sealed class NdArrayConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new NdArray();
    }
}
