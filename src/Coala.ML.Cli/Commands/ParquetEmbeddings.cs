using Parquet;
using Parquet.Schema;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// The Parquet layout of <c>coala embed</c> output: a UTF-8 string column <c>path</c> and a LIST column
/// <c>embedding</c> of non-null float32 values (three-level list: embedding.list.element), one row per file.
/// pyarrow/pandas read <c>embedding</c> as an array per row, Spark as <c>array&lt;float&gt;</c>; shards written
/// separately concatenate (same schema).
/// </summary>
internal static class ParquetEmbeddings
{
    public const string PathColumn = "path", EmbeddingColumn = "embedding";

    /// <summary>The schema: path, embedding (list of float).</summary>
    public static (ParquetSchema Schema, DataField Path, DataField Element) Schema()
    {
        var path = new DataField<string>(PathColumn);
        var element = new DataField<float>("element");
        return (new ParquetSchema(path, new ListField(EmbeddingColumn, element)), path, element);
    }

    /// <summary>Writes the rows whose vector is not null to <paramref name="file"/> (created or overwritten).</summary>
    /// <exception cref="CoalaException">a vector does not have <paramref name="dimension"/> values.</exception>
    public static void Write(string file, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension)
    {
        var paths = new List<string>();
        var values = new List<float>();
        var repetition = new List<int>();
        for (int i = 0; i < files.Count; i++)
        {
            if (vectors[i] is not { } v) continue;
            if (v.Length != dimension || dimension == 0)
                throw new CoalaException($"embedding has {v.Length} values, expected {dimension}", files[i]);
            paths.Add(files[i]);
            values.AddRange(v);
            repetition.Add(0);   // 0 starts a new row's list, 1 continues it
            for (int d = 1; d < v.Length; d++) repetition.Add(1);
        }

        var (schema, pathField, element) = Schema();
        using var stream = new FileStream(file, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        WriteAsync(stream, schema, pathField, element, paths, values.ToArray(), repetition.ToArray()).GetAwaiter().GetResult();
    }

    private static async Task WriteAsync(Stream stream, ParquetSchema schema, DataField pathField, DataField element,
        List<string> paths, float[] values, int[] repetition)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        if (paths.Count == 0) return;   // a file with the schema and no row group
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(pathField, paths);
        await group.WriteAsync<float>(element, values, repetition);
        group.CompleteValidate();
    }
}
