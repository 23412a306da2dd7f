using Coala.ML.Features;
using Coala.ML.Export;
using Coala.ML.Training.Networks;
using Coala.ML.Training.Reference;
using Coala.ML.Training.Tests.Trainer;
using Coala.ML.Training;

namespace Coala.ML.Training.Tests.Reference;

/// <summary>
/// Training on the reference's released pre-training set: HDF5 files in its exact layout, written by
/// tools/fixtures/make_hdf5_fixture.py with h5py (not by anything of ours), read with PureHDF; wrong layouts are
/// refused with the dataset, the expected and the actual shape named.
/// </summary>
public class ReferenceHdf5Tests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private static string Hdf5(string name) => Path.Combine(Fixtures, "hdf5", name);
    private readonly string _dir = Directory.CreateTempSubdirectory("coala-refhdf5-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    // The fixture's formulas (make_hdf5_fixture.py).
    private static float Value(int n, int frame, int band) => ((7 * n + 3 * frame + 5 * band) % 97) / 96f;
    private static bool Hot(int n, int j) => (13 * n + j) % 50 == 0;

    [Fact]
    public void RowsComeOutAsBandsByFramesWithTheirTags()
    {
        using var set = ReferenceHdf5Set.Open(Hdf5("spec_tags_top_1000"));
        Assert.Equal(8, set.Count);
        Assert.Equal(1000, set.VocabularySize);
        Assert.Equal(Enumerable.Range(100000, 8), set.ReadIds());
        int[] rows = [5, 0, 7];
        var patches = new float[rows.Length * 96 * 96];
        var labels = new float[rows.Length * 1000];
        set.Fill(rows, patches, labels);
        for (int k = 0; k < rows.Length; k++)
        {
            for (int b = 0; b < 96; b++)
                for (int f = 0; f < 96; f++)
                    Assert.Equal(Value(rows[k], f, b), patches[k * 9216 + b * 96 + f]);
            for (int j = 0; j < 1000; j++)
                Assert.Equal(Hot(rows[k], j) ? 1f : 0f, labels[k * 1000 + j]);
        }
        Assert.Equal(20, labels.Take(1000).Count(x => x == 1)); // row 5: j = 35, 85, ..., 985
    }

    [Fact]
    public void ParallelReadersFillTheSameRows()
    {
        int[] rows = [.. Enumerable.Range(0, 8), .. Enumerable.Range(0, 8).Reverse(), 3, 5];
        using var one = ReferenceHdf5Set.Open(Hdf5("spec_tags_top_1000"), readers: 1);
        using var four = ReferenceHdf5Set.Open(Hdf5("spec_tags_top_1000"), readers: 4);
        var (p1, l1) = (new float[rows.Length * 9216], new float[rows.Length * 1000]);
        var (p4, l4) = (new float[rows.Length * 9216], new float[rows.Length * 1000]);
        one.Fill(rows, p1, l1);
        four.Fill(rows, p4, l4); // 18 rows: 4 workers
        Assert.Equal(p1, p4);
        Assert.Equal(l1, l4);
        Assert.Equal(Value(7, 10, 20), p4[8 * 9216 + 20 * 96 + 10]); // row 8 of the batch is example 7
        // Concurrent calls as well.
        Parallel.For(0, 4, _ =>
        {
            var (p, l) = (new float[rows.Length * 9216], new float[rows.Length * 1000]);
            four.Fill(rows, p, l);
            Assert.Equal(p1, p);
        });
    }

    [Fact]
    public void TheValidationSplitIsClampedAtZeroAsTheReferenceTrainerDoes()
    {
        using var raw = ReferenceHdf5Set.Open(Hdf5("spec_tags_top_1000_val"));
        using var clamped = ReferenceHdf5Set.Open(Hdf5("spec_tags_top_1000_val"), clampAtZero: true);
        var a = new float[9216];
        var b = new float[9216];
        var l = new float[1000];
        raw.Fill([0], a, l);
        clamped.Fill([0], b, l);
        Assert.Equal(-0.25f, a[0]);      // band 0, frame 0
        Assert.Equal(-0.25f, a[3 * 96]); // band 3, frame 0
        Assert.Equal(0f, b[0]);
        Assert.Equal(a.Skip(1000), b.Skip(1000));
    }

    [Fact]
    public void AWrongPatchShapeIsRefusedWithTheExpectedLayout()
    {
        var e = Assert.Throws<CoalaException>(() => ReferenceHdf5Set.Open(Hdf5("wrong_bands.h5")));
        Assert.Contains("'/dataset/data' has shape [2,96,64], expected [N,96,96]", e.Message);
        Assert.Contains("wrong_bands.h5", e.Message);
    }

    [Fact]
    public void AMissingDatasetIsNamed()
    {
        var e = Assert.Throws<CoalaException>(() => ReferenceHdf5Set.Open(Hdf5("no_label.h5")));
        Assert.Contains("no dataset '/dataset/label'", e.Message);
        Assert.Contains("no_label.h5", e.Message);
    }

    [Fact]
    public void AFileThatIsNotHdf5IsRefused()
    {
        var e = Assert.Throws<CoalaException>(() => ReferenceHdf5Set.Open(Path.Combine(Fixtures, "reference", "scaler_top_1000.pkl")));
        Assert.Contains("not a readable HDF5 file", e.Message);
    }

    [Fact]
    public void TheValidationFileIsTheReferenceNameWithVal()
    {
        Assert.Equal(Path.Combine("hdf5_ds", "spec_tags_top_1000_val"), ReferenceHdf5Set.ValidationPath(Path.Combine("hdf5_ds", "spec_tags_top_1000")));
        Assert.Equal(Path.Combine("d", "x_val.h5"), ReferenceHdf5Set.ValidationPath(Path.Combine("d", "x.h5")));
    }

    /// <summary>A clone's layout: hdf5_ds/ with the two files, the scaler and json/ one level up.</summary>
    private string Clone(bool withValidation = true)
    {
        string root = Path.Combine(_dir, "coala");
        Directory.CreateDirectory(Path.Combine(root, "hdf5_ds"));
        Directory.CreateDirectory(Path.Combine(root, "json"));
        File.Copy(Hdf5("spec_tags_top_1000"), Path.Combine(root, "hdf5_ds", "spec_tags_top_1000"));
        if (withValidation) File.Copy(Hdf5("spec_tags_top_1000_val"), Path.Combine(root, "hdf5_ds", "spec_tags_top_1000_val"));
        File.Copy(Path.Combine(Fixtures, "reference", "scaler_top_1000.pkl"), Path.Combine(root, "scaler_top_1000.pkl"));
        File.Copy(Path.Combine(Fixtures, "reference", "json", "id2token_top_1000.json"), Path.Combine(root, "json", "id2token_top_1000.json"));
        return Path.Combine(root, "hdf5_ds", "spec_tags_top_1000");
    }

    [Fact]
    public void AMissingValidationFileIsNamed()
    {
        var e = Assert.Throws<CoalaException>(() => ReferenceTrainingData.Open(Clone(withValidation: false)));
        Assert.Contains("spec_tags_top_1000_val", e.Message);
    }

    [Fact]
    public void TrainsFromTheReleasedLayoutAndExportsTheReferenceScalerAndWords()
    {
        using var data = ReferenceTrainingData.Open(Clone());
        Assert.Equal(4, data.Validation.Count);
        string run = Path.Combine(_dir, "run");
        var options = TrainerTests.Tiny(CoalaVariant.EC, 1) with { Plots = false };
        var result = new CoalaTrainer(data, run, options).Run();
        Assert.Equal(1, result.EpochsCompleted);
        Assert.All(result.History, h => Assert.True(double.IsFinite(h.Objective)));

        string onnx = Path.Combine(_dir, "ec.onnx");
        string? tags = CheckpointExporter.Export(result.CheckpointPath, onnx, tags: true);
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        var min = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(model.Graph.Initializer.Single(t => t.Name == MinMaxScaler.GraphMinName).RawData.Span).ToArray();
        Assert.Equal(data.Scaler.Min, min);
        Assert.Equal(-14.110696792602539f, min[0]); // the real scaler_top_1000.pkl's band 0
        var tagModel = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(tags!));
        Assert.Contains("\"drawer\"", tagModel.MetadataProps.Single(p => p.Key == OnnxTagModelWriter.KeyVocabulary).Value);
    }
}
