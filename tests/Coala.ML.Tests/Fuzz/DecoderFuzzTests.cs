using System.Buffers.Binary;
using System.Diagnostics;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Tests.Audio;
using Coala.ML.Tests.TestSupport;
using Xunit.Abstractions;

namespace Coala.ML.Tests.Fuzz;

/// <summary>
/// Seeded mutations of valid WAV (PCM16 mono and stereo, float32 stereo, 24-bit extensible), MP3 and Ogg Vorbis
/// files go through the file path (decode, resample, frontend; the full embed for a subset). Each must give finite
/// patches or a <see cref="CoalaException"/> naming the file, within a time bound and an allocation bound; any
/// other exception, a hang or a huge allocation fails the test with the seed and the mutation.
/// </summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    /// <summary>Cases per base file (6 bases).</summary>
    private const int CasesPerBase = 350;
    /// <summary>Every this many cases also runs the full embed (encoder included).</summary>
    private const int EmbedEvery = 60;
    private static readonly TimeSpan PerCaseTimeout = TimeSpan.FromSeconds(10);
    private const long MaxAllocatedBytes = 256L << 20;

    private sealed record Base(string Name, byte[] Bytes, bool IsWav, int DataOffset);

    private static IReadOnlyList<Base> Bases()
    {
        static Base Wav(string name, WavEncoding e, int channels, int rate, int frames, bool extensible = false)
        {
            var x = WavBuilder.Interleaved(frames, channels, rate);
            var bytes = WavBuilder.Wav(x, e, channels, rate, extensible);
            return new Base(name, bytes, true, extensible ? 68 : 44);
        }
        static Base Fixture(string name) =>
            new(name, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "audio", name)), false, 0);
        return
        [
            Wav("pcm16-mono-22050", WavEncoding.Pcm16, 1, 22050, 6000),
            Wav("pcm16-stereo-44100", WavEncoding.Pcm16, 2, 44100, 8000),
            Wav("float32-stereo-44100", WavEncoding.Float32, 2, 44100, 5000),
            Wav("pcm24-extensible-mono-48000", WavEncoding.Pcm24, 1, 48000, 5000, extensible: true),
            Fixture("sine440_44100_mono.mp3"),
            Fixture("sine440_22050_stereo.ogg"),
        ];
    }

    private enum Mutation
    {
        Empty, Truncate, FlipBits, HeaderBytes, RandomSpan, ZeroSpan, AppendGarbage, InsertBytes, DeleteBytes, DuplicateSpan,
        // WAV header fields
        DataSize, FmtSize, Channels, SampleRate, Bits, BlockAlign, RiffSize, CodecTag, ChunkId,
    }

    private static readonly Mutation[] Generic = Enum.GetValues<Mutation>().Where(m => m < Mutation.DataSize).ToArray();
    private static readonly Mutation[] All = Enum.GetValues<Mutation>();

    private static (byte[] Bytes, string Description) Mutate(Base b, Random rng)
    {
        var bytes = b.Bytes;
        var steps = new List<string>();
        int count = rng.Next(4) == 0 ? 2 : 1;
        for (int k = 0; k < count; k++)
        {
            var pool = b.IsWav && rng.Next(3) > 0 ? All : Generic;
            var m = pool[rng.Next(pool.Length)];
            if (m == Mutation.Empty && rng.Next(10) > 0) m = Mutation.Truncate;   // keep the empty file rare
            bytes = Apply(m, bytes, b, rng, out string what);
            steps.Add($"{m}({what})");
        }
        return (bytes, string.Join(" + ", steps));
    }

    private static uint Pick(Random rng, params uint[] values) =>
        rng.Next(values.Length + 1) is var i && i < values.Length ? values[i] : (uint)rng.NextInt64(0, 1L << 32);

    private static byte[] Apply(Mutation m, byte[] input, Base b, Random rng, out string what)
    {
        var x = (byte[])input.Clone();
        int len = x.Length;
        void U32(int at, uint v) { if (at + 4 <= x.Length) BinaryPrimitives.WriteUInt32LittleEndian(x.AsSpan(at), v); }
        void U16(int at, ushort v) { if (at + 2 <= x.Length) BinaryPrimitives.WriteUInt16LittleEndian(x.AsSpan(at), v); }
        int dataHeader = b.DataOffset - 8;
        switch (m)
        {
            case Mutation.Empty: what = ""; return [];
            case Mutation.Truncate:
            {
                int at = rng.Next(len + 1);
                what = $"at {at}";
                return x[..at];
            }
            case Mutation.FlipBits:
            {
                int n = rng.Next(1, 9);
                var at = new List<int>();
                for (int i = 0; i < n && len > 0; i++) { int p = rng.Next(len); x[p] ^= (byte)(1 << rng.Next(8)); at.Add(p); }
                what = string.Join(",", at);
                return x;
            }
            case Mutation.HeaderBytes:
            {
                int n = rng.Next(1, 5), region = Math.Min(len, b.IsWav ? b.DataOffset : 256);
                var at = new List<int>();
                for (int i = 0; i < n && region > 0; i++) { int p = rng.Next(region); x[p] = (byte)rng.Next(256); at.Add(p); }
                what = string.Join(",", at);
                return x;
            }
            case Mutation.RandomSpan or Mutation.ZeroSpan:
            {
                if (len == 0) { what = "empty"; return x; }
                int at = rng.Next(len), n = Math.Min(len - at, rng.Next(1, 257));
                if (m == Mutation.RandomSpan) rng.NextBytes(x.AsSpan(at, n)); else x.AsSpan(at, n).Clear();
                what = $"{n} at {at}";
                return x;
            }
            case Mutation.AppendGarbage:
            {
                var garbage = new byte[rng.Next(1, 20_000)];
                rng.NextBytes(garbage);
                what = $"{garbage.Length} bytes";
                return [.. x, .. garbage];
            }
            case Mutation.InsertBytes:
            {
                int at = rng.Next(len + 1);
                var junk = new byte[rng.Next(1, 300)];
                rng.NextBytes(junk);
                what = $"{junk.Length} at {at}";
                return [.. x[..at], .. junk, .. x[at..]];
            }
            case Mutation.DeleteBytes:
            {
                if (len == 0) { what = "empty"; return x; }
                int at = rng.Next(len), n = Math.Min(len - at, rng.Next(1, 300));
                what = $"{n} at {at}";
                return [.. x[..at], .. x[(at + n)..]];
            }
            case Mutation.DuplicateSpan:
            {
                if (len == 0) { what = "empty"; return x; }
                int at = rng.Next(len), n = Math.Min(len - at, rng.Next(1, 2000));
                what = $"{n} at {at}";
                return [.. x[..(at + n)], .. x[at..]];
            }
            case Mutation.DataSize:
            {
                uint v = Pick(rng, 0xFFFFFFFF, 0, 1, 0x7FFFFFFF, 0x80000000, (uint)(len - b.DataOffset + 1));
                U32(dataHeader + 4, v); what = $"0x{v:X}";
                return x;
            }
            case Mutation.FmtSize:
            {
                uint v = Pick(rng, 0xFFFFFFFF, 0xFFFFFFF0, 0x7FFFFFFF, 1025, 1024, 15, 0, 17, 39);
                U32(16, v); what = $"0x{v:X}";
                return x;
            }
            case Mutation.Channels:
            {
                ushort v = (ushort)Pick(rng, 0, 65535, 1024, 1025, 3, 255);
                U16(22, v); what = $"{v}";
                if (rng.Next(2) == 0) { U16(32, (ushort)(v * (b.Name.StartsWith("pcm16", StringComparison.Ordinal) ? 2 : b.Name.StartsWith("pcm24", StringComparison.Ordinal) ? 3 : 4))); what += " with matching block align"; }
                return x;
            }
            case Mutation.SampleRate:
            {
                uint v = Pick(rng, 0, 1, 7, 999, 1000, 4000, 768_000, 768_001, 0xFFFFFFFF, 0x80000000, 96_000, 22_000);
                U32(24, v); what = $"{v}";
                return x;
            }
            case Mutation.Bits:
            {
                ushort v = (ushort)Pick(rng, 0, 1, 7, 9, 12, 31, 33, 64, 65535);
                U16(34, v); what = $"{v}";
                return x;
            }
            case Mutation.BlockAlign:
            {
                ushort v = (ushort)Pick(rng, 0, 1, 3, 65535);
                U16(32, v); what = $"{v}";
                return x;
            }
            case Mutation.RiffSize:
            {
                uint v = Pick(rng, 0, 4, 0xFFFFFFFF);
                U32(4, v); what = $"0x{v:X}";
                return x;
            }
            case Mutation.CodecTag:
            {
                ushort v = (ushort)Pick(rng, 0, 2, 3, 0xFFFE, 0x55, 0xFFFF);
                U16(20, v); what = $"0x{v:X}";
                return x;
            }
            case Mutation.ChunkId:
            {
                int at = rng.Next(2) == 0 ? 12 : dataHeader;
                if (at + 4 <= len) x[at + rng.Next(4)] ^= 0x20;
                what = at == 12 ? "fmt" : "data";
                return x;
            }
            default: throw new InvalidOperationException(m.ToString());
        }
    }

    private enum Outcome { Finite, CoalaError, Failure }

    [Fact]
    public async Task MutatedAudioFilesGiveFinitePatchesOrACoalaExceptionNamingTheFile()
    {
        var bases = Bases();
        var dir = TestAssets.TempDir("fuzz");
        var patches = new PatchSource(FrontendSettings.Default);
        string modelPath = File.Exists("/work/models-wip/coala-aec-e6.onnx") ? "/work/models-wip/coala-aec-e6.onnx" : TestAssets.RandomModel();
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = modelPath, Pooling = CoalaPooling.MeanAndStd });

        var failures = new List<string>();
        var outcomes = new Dictionary<Outcome, int>();
        var slowest = (Time: 0.0, Case: "");
        long maxAllocated = 0;
        var total = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        int cases = 0, embeds = 0;
        for (int bi = 0; bi < bases.Count; bi++)
        {
            var b = bases[bi];
            for (int i = 0; i < CasesPerBase; i++)
            {
                int seed = bi * 100_000 + i;
                var rng = new Random(seed);
                var (bytes, what) = Mutate(b, rng);
                string path = Path.Combine(dir, $"case{seed}{(b.IsWav ? ".wav" : Path.GetExtension(b.Name))}");
                File.WriteAllBytes(path, bytes);
                bool embed = i % EmbedEvery == 0;
                string label = $"seed {seed}, {b.Name}, {what}{(embed ? ", full embed" : "")}";
                cases++;
                if (embed) embeds++;

                var sw = Stopwatch.StartNew();
                var task = Task.Factory.StartNew(() => RunCase(path, patches, embed ? embedder : null),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                (Outcome, long, string) result;
                try
                {
                    // RunCase catches every exception, so a TimeoutException here is the bound, not the case.
                    result = await task.WaitAsync(PerCaseTimeout);
                }
                catch (TimeoutException)
                {
                    failures.Add($"{label}: no result within {PerCaseTimeout.TotalSeconds} s (hang?)");
                    outcomes[Outcome.Failure] = outcomes.GetValueOrDefault(Outcome.Failure) + 1;
                    continue;   // the file stays for inspection
                }
                var (outcome, allocated, message) = result;
                double seconds = sw.Elapsed.TotalSeconds;
                if (seconds > slowest.Time) slowest = (seconds, label);
                maxAllocated = Math.Max(maxAllocated, allocated);
                if (outcome == Outcome.CoalaError && !message.Contains(path, StringComparison.Ordinal))
                    (outcome, message) = (Outcome.Failure, "CoalaException not naming the file: " + message);
                if (outcome != Outcome.Failure && allocated > MaxAllocatedBytes)
                    (outcome, message) = (Outcome.Failure, $"allocated {allocated >> 20} MiB (bound {MaxAllocatedBytes >> 20} MiB)");
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (outcome == Outcome.Failure) failures.Add($"{label}: {message}");
                else File.Delete(path);
            }
        }
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;   // includes tests running beside it
        string summary = $"{cases} cases ({embeds} with the encoder, model {Path.GetFileName(modelPath)}) in {total.Elapsed.TotalSeconds:F1} s wall, " +
                         $"{cpu:F1} s CPU of the test process (load average {LoadAverage()}): " +
                         string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")) +
                         $"; slowest {slowest.Time:F2} s ({slowest.Case}); most allocated {maxAllocated >> 20} MiB";
        output.WriteLine(summary);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "coala-fuzz-summary.txt"),
            $"{DateTime.Now:O} {summary}\n{string.Join("\n", failures)}\n");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n{string.Join("\n", failures.Take(40))}\n{summary}");
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }

    private static (Outcome, long Allocated, string Message) RunCase(string path, PatchSource patches, CoalaEmbedder? embedder)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            using (var stream = patches.OpenFile(path))
            {
                var buffer = new float[8 * stream.PatchValues];
                long count = 0;
                int n;
                while ((n = stream.Read(buffer)) > 0)
                {
                    for (int i = 0; i < n * stream.PatchValues; i++)
                        if (!float.IsFinite(buffer[i]))
                            return (Outcome.Failure, GC.GetAllocatedBytesForCurrentThread() - before, $"non-finite patch value at {count * stream.PatchValues + i}");
                    count += n;
                }
                if (count == 0)
                    return (Outcome.Failure, GC.GetAllocatedBytesForCurrentThread() - before, "no patches and no error");
            }
            if (embedder is not null)
            {
                var v = embedder.EmbedFile(path);
                if (!v.All(float.IsFinite))
                    return (Outcome.Failure, GC.GetAllocatedBytesForCurrentThread() - before, "non-finite embedding");
            }
            return (Outcome.Finite, GC.GetAllocatedBytesForCurrentThread() - before, "");
        }
        catch (CoalaException e)
        {
            return (Outcome.CoalaError, GC.GetAllocatedBytesForCurrentThread() - before, e.Message);
        }
        catch (Exception e)
        {
            string where = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains(" at ", StringComparison.Ordinal))?.Trim() ?? "";
            return (Outcome.Failure, GC.GetAllocatedBytesForCurrentThread() - before, $"{e.GetType().Name}: {e.Message} [{where}]");
        }
    }
}
