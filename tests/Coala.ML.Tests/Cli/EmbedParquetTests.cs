using Coala.ML.Cli.Commands;
using Coala.ML.Tests.TestSupport;
using Parquet;
using Parquet.Schema;

namespace Coala.ML.Tests.Cli;

/// <summary><c>coala embed --output x.parquet</c>: path + list&lt;float&gt; embedding, shards that concatenate.</summary>
[Collection("Console")] // the CLI writes to the process-wide console
public class EmbedParquetTests
{
    private static (int code, string stderr) RunCli(params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        return (code, stderr);
    }

    /// <summary>Reads a coala embed Parquet file back with Parquet.Net: rows of (path, vector).</summary>
    internal static List<(string Path, float[] Vector)> Read(string file, int dimension)
    {
        return ReadAsync().GetAwaiter().GetResult();

        async Task<List<(string, float[])>> ReadAsync()
        {
            await using var reader = await ParquetReader.CreateAsync(file);
            var fields = reader.Schema.Fields;
            Assert.Equal(2, fields.Count);
            Assert.Equal("path", fields[0].Name);
            var list = Assert.IsType<ListField>(fields[1]);
            Assert.Equal("embedding", list.Name);
            var element = Assert.IsType<DataField>(list.Item, exactMatch: false);
            Assert.Equal(typeof(float), element.ClrType);
            var pathField = (DataField)fields[0];

            var rows = new List<(string, float[])>();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var group = reader.OpenRowGroupReader(g);
                var paths = new string?[group.RowCount];
                await group.ReadAsync(pathField, paths.AsMemory());
                // Every row must hold exactly `dimension` values: read that many, then check the list boundaries.
                var values = new float[group.RowCount * dimension];
                var repetition = new int[values.Length];
                var definition = new int[values.Length];
                await group.ReadRawAsync<float>(element, values.AsMemory(), definition.AsMemory(), repetition.AsMemory());
                Assert.All(definition, d => Assert.Equal(element.MaxDefinitionLevel, d));   // every value present
                var starts = Enumerable.Range(0, repetition.Length).Where(i => repetition[i] == 0).Append(values.Length).ToArray();
                Assert.Equal(paths.Length + 1, starts.Length);
                for (int r = 0; r < paths.Length; r++)
                    rows.Add((paths[r]!, values[starts[r]..starts[r + 1]]));
            }
            // The object reader sees the same rows (how pandas/Spark-like consumers see a list<float> column).
            var typed = await Parquet.Serialization.ParquetSerializer.DeserializeAsync<Row>(file);
            Assert.Equal(rows.Select(r => r.Item1), typed.Data.Select(r => r.Path));
            Assert.Equal(rows.Select(r => r.Item2), typed.Data.Select(r => r.Embedding));
            return rows;
        }
    }

    private sealed class Row
    {
        [System.Text.Json.Serialization.JsonPropertyName("path")] public string? Path { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("embedding")] public float[]? Embedding { get; set; }
    }

    [Fact]
    public void ParquetOutputHoldsPathAndListOfFloatsAndThreeShardsConcatenateToTheWholeRun()
    {
        var dir = TestAssets.TempDir("cli-parquet");
        var audio = Directory.CreateDirectory(Path.Combine(dir, "audio")).FullName;
        for (int i = 0; i < 7; i++)
            TestAssets.WriteWav(Path.Combine(audio, $"clip{i}.wav"), TestAssets.Signal(1.0 + 0.4 * i, 16000 + 3000 * i, i), 16000 + 3000 * i);
        File.WriteAllBytes(Path.Combine(audio, "broken.wav"), [1, 2, 3]);
        var model = TestAssets.RandomModel();

        var whole = Path.Combine(dir, "all.parquet");
        var (code, stderr) = RunCli("embed", audio, "--output", whole, "--model", model, "--pooling", "MeanAndStd");
        Assert.Equal(2, code);   // broken.wav failed
        Assert.Contains("broken.wav", stderr);
        var all = Read(whole, 2304);
        Assert.Equal(7, all.Count);
        Assert.All(all, r => Assert.Equal(2304, r.Vector.Length));
        Assert.DoesNotContain(all, r => r.Path.EndsWith("broken.wav", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));

        using (var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model, Pooling = CoalaPooling.MeanAndStd }))
            Assert.Equal(embedder.EmbedFile(all[3].Path), all[3].Vector);

        var parts = new List<(string Path, float[] Vector)>();
        for (int s = 0; s < 3; s++)
        {
            var part = Path.Combine(dir, $"part{s}.bin");
            var (partCode, _) = RunCli("embed", audio, "--output", part, "--format", "parquet", "--model", model, "--pooling", "MeanAndStd", "--shard", $"{s}/3");
            Assert.True(partCode is 0 or 2);
            parts.AddRange(Read(part, 2304));
        }
        Assert.Equal(all.Select(r => r.Path).Order(StringComparer.Ordinal), parts.Select(r => r.Path).Order(StringComparer.Ordinal));
        foreach (var (path, vector) in parts)
            Assert.Equal(all.Single(r => r.Path == path).Vector, vector);
    }

    [Fact]
    public void FormatComesFromTheOptionOrTheExtensionAndABadOneFailsClearly()
    {
        Assert.Equal(EmbedCommand.OutputFormat.Parquet, EmbedCommand.ParseFormat(null, "x/out.PARQUET"));
        Assert.Equal(EmbedCommand.OutputFormat.Csv, EmbedCommand.ParseFormat(null, "out.csv"));
        Assert.Equal(EmbedCommand.OutputFormat.Csv, EmbedCommand.ParseFormat("csv", "out.parquet"));
        Assert.Equal(EmbedCommand.OutputFormat.Parquet, EmbedCommand.ParseFormat("Parquet", "out.dat"));

        var dir = TestAssets.TempDir("cli-format");
        var wav = TestAssets.WriteWav(Path.Combine(dir, "a.wav"), TestAssets.Signal(1, 22000), 22000);
        var (code, stderr) = RunCli("embed", wav, "--output", Path.Combine(dir, "o.x"), "--format", "xlsx", "--model", TestAssets.RandomModel());
        Assert.Equal(1, code);
        Assert.Contains("expected csv or parquet", stderr);
        Assert.False(File.Exists(Path.Combine(dir, "o.x")));
    }
}
