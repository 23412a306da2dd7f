using Coala.ML.Features;
using Coala.ML.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Coala.ML.Tests.MLNet;

public class CoalaEmbedEstimatorTests
{
    private sealed class PathInput { public string Audio { get; set; } = ""; }
    private sealed class SamplesInput { [VectorType] public float[] Audio { get; set; } = []; }
    private sealed class RateInput { [VectorType] public float[] Audio { get; set; } = []; public int Rate { get; set; } }
    private sealed class Output { public float[] Embedding { get; set; } = []; }

    private static readonly int Rate = FrontendSettings.Default.SampleRate;

    // Clips of about 1, 2 and 3 patches and one shorter than a patch (padded to one).
    private static (string[] paths, float[][] signals) Clips(string dir)
    {
        double patchSeconds = 96.0 * 512 / Rate;
        var lengths = new[] { 1.2 * patchSeconds, 2.1 * patchSeconds, 3.05 * patchSeconds, 0.3 };
        var signals = lengths.Select((s, i) => TestAssets.Signal(s, Rate, seed: i, f0: 150 + 100 * i)).ToArray();
        var paths = signals.Select((x, i) => TestAssets.WriteWav(Path.Combine(dir, $"clip{i}.wav"), x, Rate)).ToArray();
        return (paths, signals);
    }

    private static float[][] Column(IDataView view, string name = "Embedding") =>
        view.GetColumn<float[]>(name).ToArray();

    [Fact]
    public void PathsGiveTheSameVectorsAsTheEmbedderAndSurviveSaveLoad()
    {
        var dir = TestAssets.TempDir("mlnet");
        var (paths, _) = Clips(dir);
        // A private copy of the model, deleted before loading: the saved pipeline must carry the model itself.
        var model = Path.Combine(dir, "copy.onnx");
        File.Copy(TestAssets.RandomModel(), model);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathInput { Audio = p }));

        var transformer = ml.Transforms.CoalaEmbed("Embedding", "Audio", model).Fit(data);
        var output = transformer.Transform(data);
        var col = output.Schema["Embedding"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1152), col.Type);
        Assert.Contains(output.Schema, c => c.Name == "Audio");
        Assert.DoesNotContain(output.Schema, c => c.Name.Contains("coala", StringComparison.OrdinalIgnoreCase));
        var vectors = Column(output);

        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model });
        for (int i = 0; i < paths.Length; i++)
        {
            var expected = embedder.EmbedFile(paths[i]);
            Assert.Equal(expected.Length, vectors[i].Length);
            Assert.True(expected.Zip(vectors[i]).Max(p => Math.Abs(p.First - p.Second)) < 1e-5f);
        }
        // Different clips give different vectors: nothing is a constant.
        Assert.True(vectors[0].Zip(vectors[1]).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f);

        var zip = Path.Combine(dir, "pipeline.zip");
        ml.Model.Save(transformer, data.Schema, zip);
        embedder.Dispose();
        File.Delete(model);
        var ml2 = new MLContext(seed: 2);
        ml2.ComponentCatalog.RegisterAssembly(typeof(CoalaEmbedEstimator).Assembly);
        var loaded = ml2.Model.Load(zip, out _);
        var again = Column(loaded.Transform(ml2.Data.LoadFromEnumerable(paths.Select(p => new PathInput { Audio = p }))));
        for (int i = 0; i < paths.Length; i++) Assert.Equal(vectors[i], again[i]);
    }

    [Fact]
    public void SamplesAtModelRateAndWithARateColumnMatchFiles()
    {
        var dir = TestAssets.TempDir("mlnet-samples");
        var model = TestAssets.RandomModel();
        var ml = new MLContext(seed: 1);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model });

        var x = TestAssets.Quantise16(TestAssets.Signal(3, Rate, seed: 7));
        var atRate = Column(ml.Transforms.CoalaEmbed("Embedding", "Audio", model)
            .Fit(ml.Data.LoadFromEnumerable(new[] { new SamplesInput { Audio = x } }))
            .Transform(ml.Data.LoadFromEnumerable(new[] { new SamplesInput { Audio = x } })))[0];
        var fromFile = embedder.EmbedFile(TestAssets.WriteWav(Path.Combine(dir, "a.wav"), x, Rate));
        Assert.True(atRate.Zip(fromFile).Max(p => Math.Abs(p.First - p.Second)) < 1e-5f);

        var y = TestAssets.Quantise16(TestAssets.Signal(3, 16000, seed: 8));
        var rows = new[] { new RateInput { Audio = y, Rate = 16000 } };
        var est = ml.Transforms.CoalaEmbed(new CoalaEmbedOptions { InputColumnName = "Audio", SampleRateColumnName = "Rate", ModelPath = model });
        var withRate = Column(est.Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows)))[0];
        var fromFile16k = embedder.EmbedFile(TestAssets.WriteWav(Path.Combine(dir, "b.wav"), y, 16000));
        Assert.True(withRate.Zip(fromFile16k).Max(p => Math.Abs(p.First - p.Second)) < 1e-5f);
    }

    [Fact]
    public void AskingForAGpuFallsBackToTheCpuWhenAllowed()
    {
        // No CUDA 13 libraries here: with FallbackToCpu the encoder must run on the CPU and give the CPU's numbers.
        var dir = TestAssets.TempDir("mlnet-gpu");
        var (paths, _) = Clips(dir);
        var cpu = new MLContext(seed: 1);
        var gpu = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        var model = TestAssets.RandomModel();
        float[][] Run(MLContext ml)
        {
            var data = ml.Data.LoadFromEnumerable(paths.Take(2).Select(p => new PathInput { Audio = p }));
            return Column(ml.Transforms.CoalaEmbed("Embedding", "Audio", model).Fit(data).Transform(data));
        }
        var a = Run(cpu);
        var b = Run(gpu);
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].Zip(b[i]).Max(p => Math.Abs(p.First - p.Second)) < 1e-4f);
    }

    [Fact]
    public void MeanAndStdPoolingGives2304Values()
    {
        var dir = TestAssets.TempDir("mlnet-std");
        var (paths, _) = Clips(dir);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Take(3).Select(p => new PathInput { Audio = p }));
        var est = ml.Transforms.CoalaEmbed(new CoalaEmbedOptions { ModelPath = TestAssets.RandomModel(), Pooling = CoalaPooling.MeanAndStd });
        Assert.Equal(2304, est.Dimension);
        var v = Column(est.Fit(data).Transform(data));
        Assert.All(v, e => Assert.Equal(2304, e.Length));
        // The 3-patch clip has patches that differ, so some std is positive; std is never negative.
        Assert.True(v[2].Skip(1152).Max() > 0);
        Assert.All(v, e => Assert.True(e.Skip(1152).Min() >= 0));
    }

    /// <summary>
    /// The workout ML.NET gives every estimator (TestEstimatorCore): the schema promised before fitting is the schema
    /// the fitted transformer produces, for path and sample input and both poolings, and a wrong input schema fails
    /// at GetOutputSchema as it does at Fit.
    /// </summary>
    /// <summary>SchemaShape.Create(schema), which ML.NET keeps for its own assemblies (its tests call it the same way).</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic,
            [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    [Theory]
    [InlineData(false, CoalaPooling.Mean)]
    [InlineData(false, CoalaPooling.MeanAndStd)]
    [InlineData(true, CoalaPooling.Mean)]
    public void GetOutputSchemaPromisesWhatFitDelivers(bool samples, CoalaPooling pooling)
    {
        var dir = TestAssets.TempDir("mlnet-schema");
        var (paths, signals) = Clips(dir);
        var ml = new MLContext(seed: 1);
        IDataView data = samples
            ? ml.Data.LoadFromEnumerable(signals.Select(x => new SamplesInput { Audio = x }))
            : ml.Data.LoadFromEnumerable(paths.Select(p => new PathInput { Audio = p }));
        var estimator = ml.Transforms.CoalaEmbed(new CoalaEmbedOptions
        {
            ModelPath = TestAssets.RandomModel(), InputColumnName = "Audio", OutputColumnName = "Embedding", Pooling = pooling,
        });
        var promised = estimator.GetOutputSchema(Shape(data.Schema));
        var fitted = estimator.Fit(data).Transform(data).Schema;
        var column = Assert.Single(promised, c => c.Name == "Embedding");
        var actual = fitted["Embedding"];
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        var vector = Assert.IsType<VectorDataViewType>(actual.Type);
        Assert.Equal(vector.ItemType, column.ItemType);
        Assert.Equal(pooling == CoalaPooling.Mean ? 1152 : 2304, vector.Size);
        Assert.Equal(fitted.Select(c => c.Name).Where(n => !n.StartsWith("coala", StringComparison.Ordinal)).Order(),
            promised.Select(c => c.Name).Where(n => !n.StartsWith("coala", StringComparison.Ordinal)).Order());

        var wrong = ml.Data.LoadFromEnumerable(new[] { new { Audio = 3 } });
        Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shape(wrong.Schema)));
        Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(wrong));
    }

    [Fact]
    public void SchemaErrorsNameTheColumnAndTheTypes()
    {
        var ml = new MLContext(seed: 1);
        var model = TestAssets.RandomModel();
        var data = ml.Data.LoadFromEnumerable(new[] { new { Audio = 3, Other = "x" } });
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.CoalaEmbed("E", "Audio", model).Fit(data));
        Assert.Contains("'Audio'", e1.Message);
        Assert.Contains("Int32", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.CoalaEmbed("E", "Missing", model).Fit(data));
        Assert.Contains("'Missing'", e2.Message);
    }

    [Fact]
    public void MissingWrongOrIncompatibleModelsAreClearErrors()
    {
        var ml = new MLContext();
        var dir = TestAssets.TempDir("mlnet-bad");
        var missing = Path.Combine(dir, "nope.onnx");
        var e = Assert.Throws<CoalaException>(() => ml.Transforms.CoalaEmbed("E", "Audio", missing));
        Assert.Equal(missing, e.FilePath);

        var other = TestAssets.RandomModel(3, FrontendSettings.Default with { SampleRate = 16000 });
        e = Assert.Throws<CoalaException>(() => ml.Transforms.CoalaEmbed("E", "Audio", other));
        Assert.Contains("16000", e.Message);
    }

    [Fact]
    public void ABadFileInThePipelineIsAnErrorNamingIt()
    {
        var dir = TestAssets.TempDir("mlnet-badfile");
        var bad = Path.Combine(dir, "broken.wav");
        File.WriteAllBytes(bad, "RIFF\x10\0\0\0WAVEjunk"u8.ToArray());
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new PathInput { Audio = bad } });
        var t = ml.Transforms.CoalaEmbed("Embedding", "Audio", TestAssets.RandomModel()).Fit(data);
        var ex = Record.Exception(() => Column(t.Transform(data)));
        Assert.NotNull(ex);
        var coala = Flatten(ex!).OfType<CoalaException>().FirstOrDefault();
        Assert.NotNull(coala);
        Assert.Equal(bad, coala!.FilePath);
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException) yield return x;
    }

    [Fact]
    public void PredictionEnginesOn16ThreadsMatchASerialRun()
    {
        var dir = TestAssets.TempDir("mlnet-threads");
        var (paths, _) = Clips(dir);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathInput { Audio = p }));
        var t = ml.Transforms.CoalaEmbed("Embedding", "Audio", TestAssets.RandomModel()).Fit(data);
        var serial = Column(t.Transform(data));

        var results = new float[16 * paths.Length][];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, k =>
        {
            // As PredictionEnginePool does: one engine per user at a time, sharing the transformer.
            var engine = ml.Model.CreatePredictionEngine<PathInput, Output>(t);
            for (int i = 0; i < paths.Length; i++)
                results[k * paths.Length + i] = engine.Predict(new PathInput { Audio = paths[(i + k) % paths.Length] }).Embedding;
        });
        for (int k = 0; k < 16; k++)
            for (int i = 0; i < paths.Length; i++)
                Assert.Equal(serial[(i + k) % paths.Length], results[k * paths.Length + i]);
    }

    [Fact]
    public void AStandardTrainerLearnsFromTheEmbeddings()
    {
        // Two easily told classes (low tones vs noise bursts); a random encoder already separates them,
        // which is all this checks: the vector column plugs into an ML.NET trainer end to end.
        var dir = TestAssets.TempDir("mlnet-train");
        var rng = new Random(5);
        var rows = new List<LabelledInput>();
        for (int i = 0; i < 12; i++)
        {
            bool noise = i % 2 == 1;
            var x = noise
                ? Enumerable.Range(0, Rate * 2).Select(_ => (float)(0.3 * (rng.NextDouble() * 2 - 1))).ToArray()
                : TestAssets.Signal(2, Rate, seed: i, f0: 80 + 10 * i);
            rows.Add(new LabelledInput { Audio = TestAssets.WriteWav(Path.Combine(dir, $"{i}.wav"), x, Rate), Label = noise ? "noise" : "tone" });
        }
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.CoalaEmbed("Features", "Audio", TestAssets.RandomModel())
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(data).Transform(data));
        Assert.True(metrics.MicroAccuracy > 0.9, $"accuracy {metrics.MicroAccuracy}");
    }

    private sealed class LabelledInput { public string Audio { get; set; } = ""; public string Label { get; set; } = ""; }
}
