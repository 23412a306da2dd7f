using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Coala.ML.Training.Data;

/// <summary>
/// The outcome of one file's decoding as cached: either a patch (stored in the cache file at
/// <see cref="PatchOffset"/>, <see cref="PatchLength"/> floats, identified by <see cref="Hash"/>) or an error message.
/// </summary>
internal sealed record CachedOutcome(long Size, long ModifiedTicks, long PatchOffset, int PatchLength, byte[]? Hash, string? Error)
{
    public bool IsError => Error is not null;
}

/// <summary>
/// Append-only cache of per-file patches for <c>coala prepare</c>, so that an interrupted or repeated run skips
/// the files already decoded. Keyed by (full path, size, modification time); the latest record of a path wins.
/// </summary>
/// <remarks>
/// Layout: header = "COALAPC1", int32 key length, UTF-8 key (extractor and frontend settings: a different key
/// discards the cache), then records = uint32 payload length, payload, uint64 FNV-1a of the payload.
/// Payload = path (BinaryWriter string), int64 size, int64 mtime ticks (UTC), byte kind (0 patch, 1 error),
/// then 16-byte hash, int32 n, n float32 LE — or the error string. Every record is flushed to the OS when
/// written; on opening, a torn or corrupt tail (a run killed mid-write) is cut off and the rest is kept.
/// </remarks>
internal sealed class PatchCache : IDisposable
{
    private static readonly byte[] Magic = "COALAPC1"u8.ToArray();
    private const int MaxRecord = 64 << 20;

    private readonly string _file;
    private readonly FileStream _append;
    private readonly Dictionary<string, CachedOutcome> _index = new(ClipSources.PathComparer);
    private readonly Lock _lock = new();
    private SafeFileHandle? _reader;

    /// <summary>Records found valid when the cache was opened.</summary>
    public int LoadedRecords { get; }

    /// <summary>Bytes of torn or corrupt tail cut off when the cache was opened.</summary>
    public long DiscardedBytes { get; }

    /// <summary>True when an existing cache was discarded because it was written for other settings or is not a cache.</summary>
    public bool Reset { get; }

    private PatchCache(string file, FileStream append, int loaded, long discarded, bool reset)
    {
        _file = file;
        _append = append;
        LoadedRecords = loaded;
        DiscardedBytes = discarded;
        Reset = reset;
    }

    /// <summary>Opens (or creates) the cache at <paramref name="file"/> for the given extractor/settings <paramref name="key"/>.</summary>
    public static PatchCache Open(string file, string key)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        byte[] header = [.. Magic, .. BitConverter.GetBytes(keyBytes.Length), .. keyBytes];
        FileStream fs;
        try { fs = new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoalaException($"cannot open the patch cache: {e.Message}", file, e);
        }
        try
        {
            bool reset = false;
            var index = new Dictionary<string, CachedOutcome>(ClipSources.PathComparer);
            int loaded = 0;
            long good = 0, discarded = 0;
            if (fs.Length >= header.Length && HeaderMatches(fs, header))
            {
                good = header.Length;
                (good, loaded) = Scan(fs, good, index);
                discarded = fs.Length - good;
            }
            else
            {
                reset = fs.Length > 0;
                fs.SetLength(0);
                fs.Write(header);
                fs.Flush(flushToDisk: true);
                good = header.Length;
            }
            if (fs.Length != good) fs.SetLength(good);
            fs.Position = good;
            var cache = new PatchCache(file, fs, loaded, discarded, reset);
            foreach (var kv in index) cache._index[kv.Key] = kv.Value;
            return cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            fs.Dispose();
            throw new CoalaException($"cannot read the patch cache: {e.Message}", file, e);
        }
    }

    private static bool HeaderMatches(FileStream fs, byte[] header)
    {
        var buf = new byte[header.Length];
        fs.Position = 0;
        fs.ReadExactly(buf);
        return buf.AsSpan().SequenceEqual(header);
    }

    private static (long Good, int Loaded) Scan(FileStream fs, long start, Dictionary<string, CachedOutcome> index)
    {
        long pos = start, length = fs.Length;
        int loaded = 0;
        var lenBuf = new byte[4];
        var sumBuf = new byte[8];
        while (pos + 4 <= length)
        {
            fs.Position = pos;
            fs.ReadExactly(lenBuf);
            uint len = BitConverter.ToUInt32(lenBuf);
            if (len == 0 || len > MaxRecord || pos + 4 + len + 8 > length) break;
            var payload = new byte[len];
            fs.ReadExactly(payload);
            fs.ReadExactly(sumBuf);
            if (BitConverter.ToUInt64(sumBuf) != Fnv1a(payload)) break;
            if (!TryDecode(payload, pos + 4, out var path, out var outcome)) break;
            index[path] = outcome;
            loaded++;
            pos += 4 + len + 8;
        }
        return (pos, loaded);
    }

    private static bool TryDecode(byte[] payload, long payloadOffset, out string path, out CachedOutcome outcome)
    {
        path = "";
        outcome = null!;
        try
        {
            using var ms = new MemoryStream(payload, writable: false);
            using var r = new BinaryReader(ms, Encoding.UTF8);
            path = r.ReadString();
            long size = r.ReadInt64(), ticks = r.ReadInt64();
            byte kind = r.ReadByte();
            if (kind == 0)
            {
                byte[] hash = r.ReadBytes(16);
                int n = r.ReadInt32();
                if (hash.Length != 16 || n < 0 || ms.Position + 4L * n != payload.Length) return false;
                outcome = new CachedOutcome(size, ticks, payloadOffset + ms.Position, n, hash, null);
                return true;
            }
            if (kind == 1)
            {
                string error = r.ReadString();
                if (ms.Position != payload.Length) return false;
                outcome = new CachedOutcome(size, ticks, 0, 0, null, error);
                return true;
            }
            return false;
        }
        catch (EndOfStreamException) { return false; }
    }

    /// <summary>The cached outcome for the file if its size and modification time still match.</summary>
    public bool TryGet(string path, long size, long modifiedTicks, out CachedOutcome outcome)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(path, out var o) && o.Size == size && o.ModifiedTicks == modifiedTicks)
            {
                outcome = o;
                return true;
            }
        }
        outcome = null!;
        return false;
    }

    /// <summary>
    /// Appends a decoded patch, or several stored together (thread-safe; flushed to the OS at once). The hash that
    /// identifies identical audio covers the first <paramref name="hashedValues"/> values (default: all). Returns its outcome.
    /// </summary>
    public CachedOutcome AddPatch(string path, long size, long modifiedTicks, float[] patch, int? hashedValues = null)
    {
        byte[] hash = HashPatch(patch.AsSpan(0, hashedValues ?? patch.Length));
        using var ms = new MemoryStream(64 + patch.Length * 4);
        using (var w = RecordWriter(ms, path, size, modifiedTicks, kind: 0))
        {
            w.Write(hash);
            w.Write(patch.Length);
        }
        long patchStart = ms.Position;
        ms.Write(FloatBytes(patch));
        return Append(path, ms.ToArray(), off => new CachedOutcome(size, modifiedTicks, off + patchStart, patch.Length, hash, null));
    }

    /// <summary>Appends a decoding failure (thread-safe; flushed to the OS at once). Returns its outcome.</summary>
    public CachedOutcome AddError(string path, long size, long modifiedTicks, string error)
    {
        using var ms = new MemoryStream();
        using (var w = RecordWriter(ms, path, size, modifiedTicks, kind: 1))
            w.Write(error);
        return Append(path, ms.ToArray(), _ => new CachedOutcome(size, modifiedTicks, 0, 0, null, error));
    }

    /// <summary>A writer over <paramref name="ms"/> that has written a record's key: path, size, time and kind (0 patch, 1 error).</summary>
    private static BinaryWriter RecordWriter(MemoryStream ms, string path, long size, long modifiedTicks, byte kind)
    {
        var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true);
        w.Write(path);
        w.Write(size);
        w.Write(modifiedTicks);
        w.Write(kind);
        return w;
    }

    private CachedOutcome Append(string path, byte[] payload, Func<long, CachedOutcome> make)
    {
        lock (_lock)
        {
            long payloadOffset = _append.Position + 4;
            try
            {
                _append.Write(BitConverter.GetBytes((uint)payload.Length));
                _append.Write(payload);
                _append.Write(BitConverter.GetBytes(Fnv1a(payload)));
                _append.Flush();
            }
            catch (IOException e)
            {
                throw new CoalaException($"cannot write the patch cache: {e.Message}", _file, e);
            }
            var outcome = make(payloadOffset);
            _index[path] = outcome;
            return outcome;
        }
    }

    /// <summary>Reads a cached patch back into <paramref name="destination"/> (thread-safe).</summary>
    public void ReadPatch(CachedOutcome outcome, Span<float> destination)
    {
        if (destination.Length != outcome.PatchLength) throw new ArgumentException($"destination holds {destination.Length} values, the patch {outcome.PatchLength}");
        ReadPatch(outcome, 0, destination);
    }

    /// <summary>
    /// Reads values <paramref name="start"/> .. start + destination.Length - 1 of a cached record (one of several
    /// patches stored together) into <paramref name="destination"/> (thread-safe).
    /// </summary>
    public void ReadPatch(CachedOutcome outcome, int start, Span<float> destination)
    {
        if (outcome.IsError) throw new InvalidOperationException("the outcome is an error, not a patch");
        if (start < 0 || (long)start + destination.Length > outcome.PatchLength)
            throw new ArgumentException($"values {start}..{(long)start + destination.Length - 1} are outside the record's {outcome.PatchLength}");
        SafeFileHandle handle;
        lock (_lock)
        {
            _append.Flush();
            handle = _reader ??= File.OpenHandle(_file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination);
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes[read..], outcome.PatchOffset + 4L * start + read);
            if (n <= 0) throw new CoalaException("the patch cache ends early (was it changed during the run?)", _file);
            read += n;
        }
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Coala.ML corpora are little-endian");
    }

    /// <summary>First 16 bytes of the SHA-256 of the patch's float32 LE bytes: identifies identical audio.</summary>
    public static byte[] HashPatch(ReadOnlySpan<float> patch) => SHA256.HashData(FloatBytes(patch))[..16];

    private static byte[] FloatBytes(ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Coala.ML corpora are little-endian");
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray();
    }

    internal static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in data) { h ^= b; h *= 1099511628211UL; }
        return h;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            try { _append.Flush(flushToDisk: true); } catch (IOException) { }
            _append.Dispose();
            _reader?.Dispose();
        }
    }
}
