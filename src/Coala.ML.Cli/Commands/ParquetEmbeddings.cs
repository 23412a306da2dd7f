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
    public const string PathColumn = "path", EmbeddingColumn = "embedding", StartColumn = "start_s", EndColumn = "end_s";

    /// <summary>The schema: path, embedding (list of float).</summary>
    public static (ParquetSchema Schema, DataField Path, DataField Element) Schema()
    {
        var path = new DataField<string>(PathColumn);
        var element = new DataField<float>("element");
        return (new ParquetSchema(path, new ListField(EmbeddingColumn, element)), path, element);
    }

    /// <summary>Rows per row group: bounds the memory the writer needs beyond the vectors themselves.</summary>
    public const int RowGroupRows = 1024;

    /// <summary>
    /// Writes the rows whose vector is not null to <paramref name="stream"/>, in row groups of
    /// <see cref="RowGroupRows"/>; with no rows, a file with the schema and no row group. A stream that cannot seek
    /// (standard output, a FIFO) gets the file built in memory first.
    /// </summary>
    /// <exception cref="CoalaException">a vector does not have <paramref name="dimension"/> values.</exception>
    public static void Write(Stream stream, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension)
    {
        var rows = new List<(string Path, float[] Vector)>();
        for (int i = 0; i < files.Count; i++)
        {
            if (vectors[i] is not { } v) continue;
            if (v.Length != dimension || dimension == 0)
                throw new CoalaException($"embedding has {v.Length} values, expected {dimension}", files[i]);
            rows.Add((files[i], v));
        }
        Emit(stream, target => WriteAsync(target, rows, dimension));
    }

    /// <summary>Runs <paramref name="write"/> on <paramref name="stream"/>, or, when it cannot seek (standard output, a FIFO), on a memory copy then copied out.</summary>
    private static void Emit(Stream stream, Func<Stream, Task> write)
    {
        if (stream.CanSeek && stream.CanRead)
        {
            write(stream).GetAwaiter().GetResult();
            return;
        }
        using var buffer = new MemoryStream();
        write(buffer).GetAwaiter().GetResult();
        buffer.Position = 0;
        buffer.CopyTo(stream);
    }

    private static async Task WriteAsync(Stream stream, List<(string Path, float[] Vector)> rows, int dimension)
    {
        var (schema, pathField, element) = Schema();
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        for (int start = 0; start < rows.Count; start += RowGroupRows)
        {
            var batch = rows.GetRange(start, Math.Min(RowGroupRows, rows.Count - start));
            // A list column is written as its flattened values plus repetition levels: 0 starts a row's list,
            // 1 continues it. The nullable overload derives the definition levels (every value is present).
            var values = new float?[batch.Count * dimension];
            var repetition = new int[values.Length];
            for (int r = 0; r < batch.Count; r++)
            {
                var v = batch[r].Vector;
                for (int d = 0; d < dimension; d++)
                {
                    values[r * dimension + d] = v[d];
                    repetition[r * dimension + d] = d == 0 ? 0 : 1;
                }
            }
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(pathField, batch.Select(b => b.Path).ToList());
            await group.WriteAsync<float>(element, values.AsMemory(), repetition.AsMemory());
            group.CompleteValidate();
        }
    }

    /// <summary>
    /// Per-window rows (<c>--pooling None</c>): <c>path</c>, <c>start_s</c> and <c>end_s</c> (float64 seconds), then
    /// <c>embedding</c>, one row per window, in row groups of <see cref="RowGroupRows"/>.
    /// </summary>
    public static void WriteWindows(Stream stream, IReadOnlyList<(string Path, CoalaWindow Window)> rows, int dimension)
    {
        foreach (var (path, w) in rows)
            if (w.Embedding.Length != dimension || dimension == 0)
                throw new CoalaException($"embedding has {w.Embedding.Length} values, expected {dimension}", path);
        Emit(stream, target => WriteWindowsAsync(target, rows, dimension));
    }

    private static async Task WriteWindowsAsync(Stream stream, IReadOnlyList<(string Path, CoalaWindow Window)> rows, int dimension)
    {
        var path = new DataField<string>(PathColumn);
        var start = new DataField<double>(StartColumn);
        var end = new DataField<double>(EndColumn);
        var element = new DataField<float>("element");
        var schema = new ParquetSchema(path, start, end, new ListField(EmbeddingColumn, element));
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        for (int first = 0; first < rows.Count; first += RowGroupRows)
        {
            var batch = rows.Skip(first).Take(RowGroupRows).ToList();
            var values = new float?[batch.Count * dimension];
            var repetition = new int[values.Length];
            for (int r = 0; r < batch.Count; r++)
                for (int d = 0; d < dimension; d++)
                {
                    values[r * dimension + d] = batch[r].Window.Embedding[d];
                    repetition[r * dimension + d] = d == 0 ? 0 : 1;
                }
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(path, batch.Select(b => b.Path).ToList());
            await group.WriteAsync<double>(start, batch.Select(b => b.Window.StartSeconds).ToArray().AsMemory());
            await group.WriteAsync<double>(end, batch.Select(b => b.Window.EndSeconds).ToArray().AsMemory());
            await group.WriteAsync<float>(element, values.AsMemory(), repetition.AsMemory());
            group.CompleteValidate();
        }
    }
}
