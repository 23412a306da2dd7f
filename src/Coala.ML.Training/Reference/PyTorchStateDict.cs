using System.Buffers.Binary;
using System.Collections;
using System.Runtime.CompilerServices;
using Coala.ML.Training;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Coala.ML.Training.Reference;

/// <summary>
/// Loads a PyTorch <c>state_dict</c> file (<c>torch.save(module.state_dict(), path)</c>) into a TorchSharp module
/// whose state-dict keys mirror the saving module's. Both of torch's formats are read:
/// <list type="bullet">
/// <item>the zip format (torch 1.6 and later) by TorchSharp.PyBridge's <c>load_py</c>;</item>
/// <item>the legacy format (torch 1.5 and earlier, what xavierfav/coala's <c>torch==1.5.0</c> wrote), which
/// PyBridge refuses: five pickles in a row (magic number, protocol version, system info, the state dict whose
/// tensors point at storages by persistent id, the sorted storage keys), then each storage's raw little-endian
/// data after an int64 element count. The pickles are read with Razorvine.Pickle, the storages here.</item>
/// </list>
/// Keys, shapes and element types must match the module exactly; nothing from the file is executed (only the
/// few classes a state dict names are constructed).
/// </summary>
internal static class PyTorchStateDict
{
    private const int LegacyProtocolVersion = 1001;

    /// <summary>Reads <paramref name="path"/> into <paramref name="module"/> (strict: every key, shape and type).</summary>
    /// <exception cref="CoalaException">unreadable file, unknown format, or weights that do not fit the module.</exception>
    public static void LoadInto(nn.Module module, string path, string name)
    {
        if (!File.Exists(path)) throw new CoalaException("file not found", path);
        byte[] head = new byte[4];
        using (var f = File.OpenRead(path)) f.ReadExactly(head);
        if (head[0] == (byte)'P' && head[1] == (byte)'K')
        {
            try { module.load_py(path, strict: true); }
            catch (Exception e) when (e is not CoalaException)
            {
                throw new CoalaException($"cannot load the zip-format state dict into '{name}': {e.Message}", path, e);
            }
            return;
        }
        if (head[0] != 0x80)
            throw new CoalaException("not a PyTorch state dict (neither torch's zip format nor its legacy pickle format)", path);
        var stored = ReadLegacy(path);
        TrainingCheckpoint.ApplyModule(module, stored, name, path);
    }

    /// <summary>The tensors of a legacy-format file by key (float32, float64 and int64 storages).</summary>
    public static Dictionary<string, StoredTensor> ReadLegacy(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var one = new OneByteAtATime(file);
            object magic = Load(one);
            if (magic is not System.Numerics.BigInteger big || big != System.Numerics.BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber))
                throw new CoalaException("a pickle, but not a PyTorch file (wrong magic number)", path);
            if (Convert.ToInt32(Load(one)) != LegacyProtocolVersion)
                throw new CoalaException($"PyTorch legacy file of an unknown protocol version (expected {LegacyProtocolVersion})", path);
            if (Load(one) is not IDictionary sysInfo)
                throw new CoalaException("PyTorch legacy file without its system-info record", path);
            if (sysInfo["little_endian"] is false)
                throw new CoalaException("PyTorch file written on a big-endian machine: not supported", path);

            var unpickler = new LegacyUnpickler();
            object root = unpickler.load(one);
            if (root is not IDictionary dict)
                throw new CoalaException($"the file holds a {root?.GetType().Name ?? "null"}, not a state dict (save module.state_dict(), not the module)", path);
            if (Load(one) is not IList keys)
                throw new CoalaException("PyTorch legacy file without its storage list", path);

            Span<byte> count = stackalloc byte[8];
            foreach (var k in keys)
            {
                string key = Convert.ToString(k)!;
                if (!unpickler.Storages.TryGetValue(key, out var storage))
                    throw new CoalaException($"storage '{key}' is listed but no tensor uses it", path);
                file.ReadExactly(count);
                long n = BinaryPrimitives.ReadInt64LittleEndian(count);
                if (n != storage.Count)
                    throw new CoalaException($"storage '{key}' holds {n} elements, its tensors expect {storage.Count}", path);
                storage.Data = new byte[checked((int)(n * storage.ElementSize))];
                file.ReadExactly(storage.Data);
            }

            var result = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in dict)
            {
                string key = Convert.ToString(e.Key)!;
                if (e.Value is not TensorRef t)
                    throw new CoalaException($"state dict entry '{key}' is not a tensor", path);
                result[key] = t.Materialise(key, path);
            }
            return result;
        }
        catch (PickleException e) { throw new CoalaException($"cannot read the PyTorch legacy pickle: {e.Message}", path, e); }
        catch (EndOfStreamException e) { throw new CoalaException("the PyTorch file is truncated", path, e); }
        catch (InvalidCastException e) { throw new CoalaException($"unexpected content in the PyTorch file: {e.Message}", path, e); }
        catch (OverflowException e) { throw new CoalaException($"a tensor in the PyTorch file is too large: {e.Message}", path, e); }
    }

    private static object Load(Stream s) => new Unpickler().load(s);

    /// <summary>A storage the state dict's tensors refer to, filled after the main pickle.</summary>
    private sealed class Storage(ScalarType type, int elementSize, long count)
    {
        public ScalarType Type { get; } = type;
        public int ElementSize { get; } = elementSize;
        public long Count { get; } = count;
        public byte[]? Data { get; set; }
    }

    /// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)</c> describes it.</summary>
    private sealed class TensorRef(Storage storage, long offset, long[] size, long[] stride)
    {
        public StoredTensor Materialise(string key, string path)
        {
            if (storage.Data is null) throw new CoalaException($"tensor '{key}' points at a storage the file does not hold", path);
            long n = size.Aggregate(1L, (a, b) => a * b);
            var data = new byte[checked((int)(n * storage.ElementSize))];
            var index = new long[size.Length];
            for (long i = 0; i < n; i++)
            {
                long src = offset;
                for (int d = 0; d < size.Length; d++) src += index[d] * stride[d];
                if (src < 0 || src >= storage.Count)
                    throw new CoalaException($"tensor '{key}' reaches outside its storage", path);
                Buffer.BlockCopy(storage.Data, (int)(src * storage.ElementSize), data, (int)(i * storage.ElementSize), storage.ElementSize);
                for (int d = size.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < size[d]) break;
                    index[d] = 0;
                }
            }
            return new StoredTensor(storage.Type, size, data);
        }
    }

    /// <summary>
    /// <c>torch._utils._rebuild_tensor_v2</c>: a <see cref="TensorRef"/> for our legacy storages; anything else goes to
    /// the constructor registered before (TorchSharp.PyBridge's, for its zip-format loads). Razorvine keeps one
    /// process-wide table of constructors, which both readers share.
    /// </summary>
    private sealed class RebuildTensor(IObjectConstructor? next) : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length < 4 || args[0] is not Storage s)
                return next?.construct(args) ?? throw new PickleException("unexpected arguments to torch._utils._rebuild_tensor_v2");
            static long[] Longs(object o) => ((object[])o).Select(Convert.ToInt64).ToArray();
            return new TensorRef(s, Convert.ToInt64(args[1]), Longs(args[2]), Longs(args[3]));
        }
    }

    /// <summary><c>collections.OrderedDict</c>: a dictionary whose attribute state (a state dict's <c>_metadata</c>) is ignored.</summary>
    private sealed class OrderedDict : Hashtable
    {
        public void __setstate__(Hashtable state) { }
    }

    private sealed class OrderedDictConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new OrderedDict();
    }

    private sealed class LegacyUnpickler : Unpickler
    {
        public Dictionary<string, Storage> Storages { get; } = new(StringComparer.Ordinal);

        static LegacyUnpickler()
        {
            // PyBridge registers its constructors (OrderedDict as a Hashtable, _rebuild_tensor_v2) when its reader is
            // first used; run that now so that ours wraps its tensor constructor instead of being replaced by it later.
            var pyBridge = typeof(PyBridgeModuleExtensions).Assembly.GetType("TorchSharp.PyBridge.PyTorchUnpickler");
            if (pyBridge is not null) RuntimeHelpers.RunClassConstructor(pyBridge.TypeHandle);
            objectConstructors.TryGetValue("torch._utils._rebuild_tensor_v2", out var next);
            if (next is not RebuildTensor) registerConstructor("torch._utils", "_rebuild_tensor_v2", new RebuildTensor(next));
            if (!objectConstructors.ContainsKey("collections.OrderedDict")) registerConstructor("collections", "OrderedDict", new OrderedDictConstructor());
        }

        protected override object persistentLoad(object pid)
        {
            if (pid is not object[] t || t.Length < 5 || t[0] is not string kind || kind != "storage")
                throw new PickleException("unexpected persistent id (not a tensor storage)");
            string typeName = (t[1] as ClassDictConstructor)?.name ?? "?";
            (ScalarType type, int size) = typeName switch
            {
                "FloatStorage" => (ScalarType.Float32, 4),
                "DoubleStorage" => (ScalarType.Float64, 8),
                "LongStorage" => (ScalarType.Int64, 8),
                _ => throw new PickleException($"unsupported storage type {typeName}"),
            };
            string key = Convert.ToString(t[2])!;
            long count = Convert.ToInt64(t[4]);
            if (t.Length > 5 && t[5] is not null)
                throw new PickleException("storage views are not supported");
            if (!Storages.TryGetValue(key, out var s))
                Storages[key] = s = new Storage(type, size, count);
            return s;
        }
    }

    /// <summary>
    /// Hands the unpickler one byte per read, so that it stops exactly at each pickle's STOP opcode and the next
    /// pickle (or the raw storages) starts where it should. The legacy pickles are small.
    /// </summary>
    private sealed class OneByteAtATime(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));
        public override int ReadByte() => inner.ReadByte();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { } // the caller owns the file
    }
}
