using Coala.ML.Training.Networks;
using Coala.ML.Training;

namespace Coala.ML.Training.Tests.Trainer;

/// <summary>Checkpoints round-trip exactly and damaged ones are rejected with a CoalaException naming the file.</summary>
public class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coala-ckpt-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string WriteOne(CoalaVariant variant = CoalaVariant.EC)
    {
        torch.manual_seed(3);
        using var nets = new CoalaNetworks(variant, 5);
        var config = new RunConfig { Variant = CoalaVariants.Name(variant), VocabularySize = 5, Epochs = 1, BatchSize = 4, LearningRate = 0.01, Temperature = 0.1 };
        using var opt = torch.optim.SGD(nets.Parameters(), 0.01);
        string path = Path.Combine(_dir, TrainingCheckpoint.FileName);
        TrainingCheckpoint.Capture(config, 1, [], nets, opt).Save(path);
        return path;
    }

    [Fact]
    public void RoundTripRestoresEveryTensorExactly()
    {
        string path = WriteOne(CoalaVariant.AeC);
        var ck = TrainingCheckpoint.Load(path);
        Assert.Equal(1, ck.Epoch);
        Assert.Equal(new[] { "audio_encoder", "audio_decoder", "tag_encoder", "tag_decoder" }, ck.Networks.Keys);
        torch.manual_seed(99); // different init
        using var nets = new CoalaNetworks(CoalaVariant.AeC, 5);
        ck.ApplyTo(nets, path);
        var again = TrainingCheckpoint.CaptureModule(nets.AudioEncoder!);
        foreach (var (key, t) in ck.Networks["audio_encoder"])
            Assert.True(t.Data.AsSpan().SequenceEqual(again[key].Data), key);
        Assert.Contains("audio_encoder.17.num_batches_tracked", again.Keys);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void TruncatedCheckpointIsACoalaExceptionNamingTheFile()
    {
        string path = WriteOne();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void FlippedByteIsACoalaException()
    {
        string path = WriteOne();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(path));
        Assert.Contains("corrupt", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void EmptyOrForeignFilesAreCoalaExceptions()
    {
        string path = Path.Combine(_dir, "x.coala");
        File.WriteAllBytes(path, []);
        Assert.Equal(path, Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(path)).FilePath);
        File.WriteAllText(path, "this is not a checkpoint at all, just some text that is long enough");
        Assert.Equal(path, Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(path)).FilePath);
        Assert.Equal(Path.Combine(_dir, "missing"), Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(Path.Combine(_dir, "missing"))).FilePath);
    }

    [Fact]
    public void ResumingFromACorruptCheckpointNamesIt()
    {
        string path = WriteOne();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        var e = Assert.Throws<CoalaException>(() => TrainerTests.Train(TrainerTests.Tiny(CoalaVariant.EC, 2) with { Resume = true }, _dir));
        Assert.Equal(path, e.FilePath);
    }

    /// <summary>A one-tensor checkpoint whose int at the tensor's shape length (or byte size) is replaced, hash recomputed.</summary>
    private string Hostile(bool shapeLength, int value)
    {
        var config = new RunConfig { Variant = CoalaVariants.Name(CoalaVariant.Cnn), VocabularySize = 5, Epochs = 1, BatchSize = 4, LearningRate = 0.01, Temperature = 0.1 };
        var ck = new TrainingCheckpoint
        {
            Config = config, Epoch = 1, History = [], OptimizerState = [],
            Networks = new() { ["cnn"] = new() { ["w"] = new StoredTensor(torch.ScalarType.Float32, [2], new byte[8]) } },
        };
        string path = Path.Combine(_dir, "hostile.coala");
        ck.Save(path);
        var b = File.ReadAllBytes(path);
        // key "w" (length-prefixed), dtype Float32 (6), rank 1, dim 2, byte size 8
        byte[] marker = [1, (byte)'w', 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0];
        int at = b.AsSpan().IndexOf(marker);
        Assert.True(at > 0);
        BitConverter.GetBytes(value).CopyTo(b, at + (shapeLength ? 6 : 18));
        System.Security.Cryptography.SHA256.HashData(b.AsSpan(0, b.Length - 32)).CopyTo(b, b.Length - 32);
        File.WriteAllBytes(path, b);
        return path;
    }

    [Fact]
    public void AValidHashWithAnAbsurdShapeCountIsAClearErrorNotAnAllocation()
    {
        var e = Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(Hostile(shapeLength: true, int.MaxValue)));
        Assert.Contains("'cnn/w' has 2147483647 dimensions", e.Message);
        e = Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(Hostile(shapeLength: false, int.MaxValue)));
        Assert.Contains("byte size of 'cnn/w' 2147483647 does not fit", e.Message);
        e = Assert.Throws<CoalaException>(() => TrainingCheckpoint.Load(Hostile(shapeLength: false, 4)));
        Assert.Contains("holds 4 bytes", e.Message);
    }
}
