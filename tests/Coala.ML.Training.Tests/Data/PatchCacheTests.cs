using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

public class PatchCacheTests
{
    private static float[] Patch(int seed, int n = 50) => Enumerable.Range(0, n).Select(i => (float)Math.Sin(seed * 31 + i)).ToArray();

    [Fact]
    public void RecordsSurviveReopeningAndStaleEntriesMiss()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "cache.bin");
        using (var cache = PatchCache.Open(file, "k"))
        {
            cache.AddPatch("/a.wav", 10, 100, Patch(1));
            cache.AddError("/b.wav", 20, 200, "/b.wav: not audio");
            cache.AddPatch("/a.wav", 11, 101, Patch(2)); // the file changed: latest record wins
        }
        using (var cache = PatchCache.Open(file, "k"))
        {
            Assert.Equal(3, cache.LoadedRecords);
            Assert.Equal(0, cache.DiscardedBytes);
            Assert.True(cache.TryGet("/a.wav", 11, 101, out var a));
            var back = new float[50];
            cache.ReadPatch(a, back);
            Assert.Equal(Patch(2), back);
            Assert.Equal(PatchCache.HashPatch(Patch(2)), a.Hash);
            Assert.False(cache.TryGet("/a.wav", 10, 100, out _));
            Assert.True(cache.TryGet("/b.wav", 20, 200, out var b));
            Assert.Equal("/b.wav: not audio", b.Error);
            Assert.False(cache.TryGet("/b.wav", 20, 201, out _));
        }
    }

    [Fact]
    public void TornLastRecordIsCutOffAndAppendingContinues()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "cache.bin");
        using (var cache = PatchCache.Open(file, "k"))
        {
            cache.AddPatch("/a.wav", 1, 1, Patch(1));
            cache.AddPatch("/b.wav", 2, 2, Patch(2));
        }
        long full = new FileInfo(file).Length;
        using (var fs = new FileStream(file, FileMode.Open)) fs.SetLength(full - 7); // killed mid-write
        using (var cache = PatchCache.Open(file, "k"))
        {
            Assert.Equal(1, cache.LoadedRecords);
            Assert.True(cache.DiscardedBytes > 0);
            Assert.True(cache.TryGet("/a.wav", 1, 1, out _));
            Assert.False(cache.TryGet("/b.wav", 2, 2, out _));
            cache.AddPatch("/c.wav", 3, 3, Patch(3));
        }
        using (var cache = PatchCache.Open(file, "k"))
        {
            Assert.Equal(2, cache.LoadedRecords);
            Assert.True(cache.TryGet("/c.wav", 3, 3, out var c));
            var back = new float[50];
            cache.ReadPatch(c, back);
            Assert.Equal(Patch(3), back);
        }
    }

    [Fact]
    public void CorruptRecordStopsTheScan()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "cache.bin");
        using (var cache = PatchCache.Open(file, "k"))
        {
            cache.AddPatch("/a.wav", 1, 1, Patch(1));
            cache.AddPatch("/b.wav", 2, 2, Patch(2));
        }
        var bytes = File.ReadAllBytes(file);
        bytes[^20] ^= 0xFF; // flip bits inside the last record's patch
        File.WriteAllBytes(file, bytes);
        using var reopened = PatchCache.Open(file, "k");
        Assert.Equal(1, reopened.LoadedRecords);
    }

    [Fact]
    public void OtherKeyOrGarbageResetsTheCache()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "cache.bin");
        using (var cache = PatchCache.Open(file, "settings-1")) cache.AddPatch("/a.wav", 1, 1, Patch(1));
        using (var cache = PatchCache.Open(file, "settings-2"))
        {
            Assert.True(cache.Reset);
            Assert.False(cache.TryGet("/a.wav", 1, 1, out _));
        }
        File.WriteAllBytes(file, [1, 2, 3]);
        using (var cache = PatchCache.Open(file, "settings-2")) Assert.Equal(0, cache.LoadedRecords);
    }

    [Fact]
    public void ConcurrentWritersAllLand()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "cache.bin");
        using (var cache = PatchCache.Open(file, "k"))
            Parallel.For(0, 64, i => cache.AddPatch($"/{i}.wav", i, i, Patch(i)));
        using var reopened = PatchCache.Open(file, "k");
        Assert.Equal(64, reopened.LoadedRecords);
        var back = new float[50];
        for (int i = 0; i < 64; i++)
        {
            Assert.True(reopened.TryGet($"/{i}.wav", i, i, out var o));
            reopened.ReadPatch(o, back);
            Assert.Equal(Patch(i), back);
        }
    }
}
