using System.IO.Compression;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Cli;

/// <summary>
/// <c>coala import-reference</c> and <c>coala train --data FILE.h5</c> end to end on a "clone" of xavierfav/coala built
/// from the committed fixtures (real scaler and vocabulary; random-weight state dicts and small HDF5 files in its layout).
/// </summary>
[Collection("Console")] // the CLI writes to the process-wide console
public class ReferenceCommandsTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "training");

    private static string Clone(string name)
    {
        string root = Path.Combine(TestAssets.TempDir(name), "coala");
        Directory.CreateDirectory(Path.Combine(root, "json"));
        Directory.CreateDirectory(Path.Combine(root, "hdf5_ds"));
        File.Copy(Path.Combine(Fixtures, "reference", "scaler_top_1000.pkl"), Path.Combine(root, "scaler_top_1000.pkl"));
        File.Copy(Path.Combine(Fixtures, "reference", "json", "id2token_top_1000.json"), Path.Combine(root, "json", "id2token_top_1000.json"));
        foreach (var f in Directory.EnumerateFiles(Path.Combine(Fixtures, "hdf5")))
            File.Copy(f, Path.Combine(root, "hdf5_ds", Path.GetFileName(f)));
        foreach (var gz in Directory.EnumerateFiles(Path.Combine(Fixtures, "reference", "saved_models"), "*.pt.gz", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(Path.Combine(Fixtures, "reference"), gz)[..^3]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var src = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
            using var dst = File.Create(target);
            src.CopyTo(dst);
        }
        return root;
    }

    [Fact]
    public void ImportReferenceWritesTheEncoderAndTheTagModel()
    {
        string clone = Clone("cli-import-ref");
        string onnx = Path.Combine(Path.GetDirectoryName(clone)!, "coala-paper-aec.onnx");
        var (code, stdout, stderr) = CliRunner.Run("import-reference", "--repo", clone, "--variant", "aec", "--output", onnx);
        Assert.True(code == 0, stderr);
        Assert.Contains($"wrote {onnx}", stdout);
        Assert.True(File.Exists(onnx));
        Assert.True(File.Exists(Path.ChangeExtension(onnx, ".tags.onnx")));
    }

    [Fact]
    public void ImportReferenceWithoutTheStateDictsNamesTheMissingFile()
    {
        string clone = Clone("cli-import-ref-missing");
        var (code, _, stderr) = CliRunner.Run("import-reference", "--repo", clone, "--variant", "ec", "--output", Path.Combine(clone, "ec.onnx"));
        Assert.Equal(1, code);
        Assert.StartsWith("coala import-reference: ", stderr.TrimStart());
        Assert.Contains("saved_models/dual_e_c/audio_encoder_epoch_200.pt", stderr);
    }

    [Fact]
    public void TrainReadsTheReleasedHdf5LayoutAndItsModelExports()
    {
        string clone = Clone("cli-train-hdf5");
        string run = Path.Combine(Path.GetDirectoryName(clone)!, "run");
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", Path.Combine(clone, "hdf5_ds", "spec_tags_top_1000"), "--variant", "ec",
            "--epochs", "1", "--batch-size", "4", "--device", "cpu", "--threads", "2", "--no-plots", "--output", run);
        Assert.True(code == 0, stderr);
        Assert.Contains("reference HDF5: 8 training and 4 validation patches, 1000 tags", stderr);
        Assert.Contains("1 epochs", stdout);
        string onnx = Path.Combine(run, "m.onnx");
        (code, _, stderr) = CliRunner.Run("export", "--checkpoint", run, "--output", onnx, "--tags");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.ChangeExtension(onnx, ".tags.onnx")));
    }

    [Fact]
    public void TrainRefusesAWrongHdf5LayoutWithOneLine()
    {
        string clone = Clone("cli-train-wrong");
        // wrong_bands.h5 needs its _val companion to get as far as the layout check.
        File.Copy(Path.Combine(clone, "hdf5_ds", "wrong_bands.h5"), Path.Combine(clone, "hdf5_ds", "wrong_bands_val.h5"));
        var (code, _, stderr) = CliRunner.Run("train", "--data", Path.Combine(clone, "hdf5_ds", "wrong_bands.h5"), "--variant", "ec",
            "--epochs", "1", "--device", "cpu", "--output", Path.Combine(clone, "run"));
        Assert.Equal(1, code);
        Assert.StartsWith("coala train: ", stderr.TrimStart());
        Assert.Contains("'/dataset/data' has shape [2,96,64], expected [N,96,96]", stderr);
        Assert.Contains("wrong_bands.h5", stderr);
    }

    [Theory]
    [InlineData("--optimizer", "adam", "expected sgd or adamw")]
    [InlineData("--optimizer", "1", "expected sgd or adamw")]
    [InlineData("--lr-schedule", "step", "expected constant or cosine")]
    public void TrainNamesTheChoicesOfAnUnknownOptimizerOrSchedule(string option, string value, string expected)
    {
        var (code, _, stderr) = CliRunner.Run("train", "--data", "/nonexistent/coala/corpus", option, value, "--output", "/nonexistent/coala/run");
        Assert.Equal(1, code);
        Assert.StartsWith($"coala train: invalid training option: {option} {value} ({expected})", stderr.TrimStart());
    }

    [Fact]
    public void TrainTakesTheOptimizerAndScheduleInAnyCase()
    {
        string clone = Clone("cli-train-case");
        var (code, _, stderr) = CliRunner.Run("train", "--data", Path.Combine(clone, "hdf5_ds", "spec_tags_top_1000"), "--variant", "ec",
            "--optimizer", "AdamW", "--lr-schedule", "Cosine", "--epochs", "1", "--batch-size", "4", "--device", "cpu", "--threads", "2",
            "--no-plots", "--output", Path.Combine(Path.GetDirectoryName(clone)!, "run"));
        Assert.True(code == 0, stderr);
    }
}
