using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coala.ML.IO;
using Coala.ML.Training.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Coala.ML.Training;

/// <summary>A stored tensor: element type, shape and raw little-endian bytes.</summary>
internal sealed record StoredTensor(ScalarType DType, long[] Shape, byte[] Data)
{
    public float[] AsFloats() => DType == ScalarType.Float32
        ? MemoryMarshal.Cast<byte, float>(Data).ToArray()
        : throw new CoalaException($"tensor of type {DType} is not float32");
}

/// <summary>
/// Everything needed to continue a run: the run config, the last completed epoch, the loss history, every
/// network's state dict (keys as the reference: <c>audio_encoder.0.weight</c>, ..., grouped by network) and
/// the optimizer state. One file: magic, version, payload, SHA-256 of all before it; written atomically
/// (temp file, fsync, rename), so a kill at any moment leaves the previous checkpoint intact.
/// </summary>
internal sealed class TrainingCheckpoint
{
    public const string FileName = "checkpoint.coala";
    private static readonly byte[] Magic = "COALACKP"u8.ToArray();
    private const int FormatVersion = 1;
    private const int HashLength = 32;
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public required RunConfig Config { get; init; }
    /// <summary>The last completed epoch (1-based).</summary>
    public required int Epoch { get; init; }
    public required List<EpochLosses> History { get; init; }
    /// <summary>Network name (audio_encoder, audio_decoder, tag_encoder, tag_decoder, cnn) -> state dict.</summary>
    public required Dictionary<string, Dictionary<string, StoredTensor>> Networks { get; init; }
    /// <summary>TorchSharp's serialized optimizer state (SGD without momentum: its param-group settings).</summary>
    public required byte[] OptimizerState { get; init; }

    /// <summary>Copies the networks' weights and buffers (to CPU) and the optimizer state.</summary>
    public static TrainingCheckpoint Capture(RunConfig config, int epoch, IEnumerable<EpochLosses> history,
        CoalaNetworks networks, OptimizerHelper? optimizer)
    {
        var nets = new Dictionary<string, Dictionary<string, StoredTensor>>(StringComparer.Ordinal);
        foreach (var (name, module) in networks.Parts)
            nets[name] = CaptureModule(module);
        byte[] opt = [];
        if (optimizer is not null)
        {
            using var ms = new MemoryStream();
            using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(w);
            opt = ms.ToArray();
        }
        return new TrainingCheckpoint { Config = config, Epoch = epoch, History = history.ToList(), Networks = nets, OptimizerState = opt };
    }

    /// <summary>One module's state dict as stored tensors.</summary>
    public static Dictionary<string, StoredTensor> CaptureModule(nn.Module module)
    {
        var d = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        foreach (var (key, t) in module.state_dict())
        {
            var c = t.detach().cpu().contiguous();
            byte[] bytes = c.dtype switch
            {
                ScalarType.Float32 => MemoryMarshal.AsBytes(c.data<float>().ToArray().AsSpan()).ToArray(),
                ScalarType.Float64 => MemoryMarshal.AsBytes(c.data<double>().ToArray().AsSpan()).ToArray(),
                ScalarType.Int64 => MemoryMarshal.AsBytes(c.data<long>().ToArray().AsSpan()).ToArray(),
                var other => throw new CoalaException($"cannot store tensor '{key}' of type {other}"),
            };
            d[key] = new StoredTensor(c.dtype, c.shape.ToArray(), bytes);
        }
        return d;
    }

    /// <summary>Loads the stored weights into <paramref name="networks"/>; keys, shapes and types must match exactly.</summary>
    public void ApplyTo(CoalaNetworks networks, string? source = null)
    {
        foreach (var (name, module) in networks.Parts)
        {
            if (!Networks.TryGetValue(name, out var stored))
                throw new CoalaException($"checkpoint has no weights for network '{name}'", source);
            ApplyModule(module, stored, name, source);
        }
    }

    public static void ApplyModule(nn.Module module, Dictionary<string, StoredTensor> stored, string name, string? source)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !stored.ContainsKey(k)).ToList();
        var extra = stored.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new CoalaException($"checkpoint weights of '{name}' do not match the network: missing [{string.Join(", ", missing.Take(5))}], unexpected [{string.Join(", ", extra.Take(5))}]", source);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (key, t) in target)
        {
            var s = stored[key];
            if (s.DType != t.dtype || !s.Shape.SequenceEqual(t.shape))
                throw new CoalaException($"checkpoint tensor '{name}/{key}' is {s.DType}[{string.Join(",", s.Shape)}], the network expects {t.dtype}[{string.Join(",", t.shape)}]", source);
            Tensor src = s.DType switch
            {
                ScalarType.Float32 => tensor(MemoryMarshal.Cast<byte, float>(s.Data).ToArray()),
                ScalarType.Float64 => tensor(MemoryMarshal.Cast<byte, double>(s.Data).ToArray()),
                ScalarType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(s.Data).ToArray()),
                var other => throw new CoalaException($"checkpoint tensor '{name}/{key}' has unsupported type {other}", source),
            };
            t.copy_(src.reshape(s.Shape).to(t.device));
        }
    }

    /// <summary>Restores the optimizer state (no-op when none was stored).</summary>
    public void ApplyTo(OptimizerHelper optimizer, string? source = null)
    {
        if (OptimizerState.Length == 0) return;
        try
        {
            using var r = new BinaryReader(new MemoryStream(OptimizerState), Encoding.UTF8);
            optimizer.load_state_dict(r);
        }
        catch (Exception e) when (e is not CoalaException)
        {
            throw new CoalaException($"checkpoint optimizer state does not fit the optimizer: {e.Message}", source, e);
        }
    }

    /// <summary>Writes atomically: temp file beside <paramref name="path"/>, flushed to disk, then renamed over it.</summary>
    public void Save(string path)
    {
        byte[] body;
        using (var ms = new MemoryStream())
        {
            using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(FormatVersion);
                w.Write(JsonSerializer.Serialize(Config, Json));
                w.Write(Epoch);
                w.Write(JsonSerializer.Serialize(History, Json));
                w.Write(Networks.Count);
                foreach (var (name, tensors) in Networks)
                {
                    w.Write(name);
                    w.Write(tensors.Count);
                    foreach (var (key, t) in tensors)
                    {
                        w.Write(key);
                        w.Write((int)t.DType);
                        w.Write(t.Shape.Length);
                        foreach (var d in t.Shape) w.Write(d);
                        w.Write(t.Data.Length);
                        w.Write(t.Data);
                    }
                }
                w.Write(OptimizerState.Length);
                w.Write(OptimizerState);
            }
            ms.Write(SHA256.HashData(ms.GetBuffer().AsSpan(0, (int)ms.Length)));
            body = ms.ToArray();
        }
        AtomicFile.WriteAllBytes(path, body, "the checkpoint", flushToDisk: true);
    }

    /// <summary>The most dimensions a stored tensor may have (the networks' have at most 4).</summary>
    private const int MaxRank = 8;

    /// <summary>Bytes per element of the stored types; 0 for others (rejected when applied).</summary>
    private static int ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float32 => 4,
        ScalarType.Float64 or ScalarType.Int64 => 8,
        _ => 0,
    };

    /// <summary>Reads and verifies a checkpoint; anything missing, truncated or altered is a <see cref="CoalaException"/> naming the file.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        byte[] b;
        try { b = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CoalaException($"cannot read the checkpoint: {e.Message}", path, e);
        }
        if (b.Length < Magic.Length + 4 + HashLength || !b.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CoalaException("not a Coala.ML training checkpoint (bad header or too short)", path);
        var hash = SHA256.HashData(b.AsSpan(0, b.Length - HashLength));
        if (!hash.AsSpan().SequenceEqual(b.AsSpan(b.Length - HashLength)))
            throw new CoalaException("the checkpoint is truncated or corrupt (checksum mismatch)", path);
        try
        {
            using var r = new BinaryReader(new MemoryStream(b, 0, b.Length - HashLength), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new CoalaException($"checkpoint format version {version} is not supported (expected {FormatVersion})", path);
            var config = JsonSerializer.Deserialize<RunConfig>(r.ReadString(), Json) ?? throw new CoalaException("checkpoint has no run config", path);
            int epoch = r.ReadInt32();
            var history = JsonSerializer.Deserialize<List<EpochLosses>>(r.ReadString(), Json) ?? [];
            // A valid hash proves only that the file is whole, not that its counts are sane: every count and size is
            // checked against the bytes left before anything is allocated from it.
            long Left() => r.BaseStream.Length - r.BaseStream.Position;
            int Count(int n, int minBytesEach, string what) => n >= 0 && (long)n * minBytesEach <= Left()
                ? n : throw new CoalaException($"the checkpoint is malformed: {what} {n} does not fit in the {Left()} bytes left", path);
            int nNets = Count(r.ReadInt32(), 5, "network count");
            var nets = new Dictionary<string, Dictionary<string, StoredTensor>>(StringComparer.Ordinal);
            for (int i = 0; i < nNets; i++)
            {
                string name = r.ReadString();
                int n = Count(r.ReadInt32(), 13, $"tensor count of '{name}'");
                var d = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
                for (int j = 0; j < n; j++)
                {
                    string key = r.ReadString();
                    var dtype = (ScalarType)r.ReadInt32();
                    int rank = r.ReadInt32();
                    if (rank is < 0 or > MaxRank)
                        throw new CoalaException($"the checkpoint is malformed: tensor '{name}/{key}' has {rank} dimensions (at most {MaxRank})", path);
                    var shape = new long[Count(rank, 8, $"shape length of '{name}/{key}'")];
                    for (int k = 0; k < shape.Length; k++) shape[k] = r.ReadInt64();
                    int len = Count(r.ReadInt32(), 1, $"byte size of '{name}/{key}'");
                    long elements = 1;
                    foreach (var dim in shape)
                        elements = dim < 0 || (dim > 0 && elements > long.MaxValue / dim)
                            ? throw new CoalaException($"the checkpoint is malformed: tensor '{name}/{key}' has shape [{string.Join(",", shape)}]", path)
                            : elements * dim;
                    int size = ElementSize(dtype);
                    if (size > 0 && elements != len / size || size > 0 && len % size != 0)
                        throw new CoalaException($"the checkpoint is malformed: tensor '{name}/{key}' of shape [{string.Join(",", shape)}] holds {len} bytes", path);
                    var data = r.ReadBytes(len);
                    if (data.Length != len) throw new EndOfStreamException();
                    d[key] = new StoredTensor(dtype, shape, data);
                }
                nets[name] = d;
            }
            int optLen = Count(r.ReadInt32(), 1, "optimizer state size");
            var opt = r.ReadBytes(optLen);
            if (opt.Length != optLen) throw new EndOfStreamException();
            CoalaVariants.Parse(config.Variant, path);
            return new TrainingCheckpoint { Config = config, Epoch = epoch, History = history, Networks = nets, OptimizerState = opt };
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException or FormatException or OverflowException or ArgumentException)
        {
            throw new CoalaException($"the checkpoint is malformed: {e.Message}", path, e);
        }
    }
}
