using System.CommandLine;
using System.Globalization;
using System.Text;
using Coala.ML.Model;
using Spectre.Console;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// <c>coala embed &lt;files or folders...&gt; --output out.csv|out.parquet</c>: one row per file (path, then the
/// vector). CSV: columns path, e0, e1, ...; Parquet: a string column <c>path</c> and a <c>list&lt;float&gt;</c>
/// column <c>embedding</c> (what pandas, pyarrow and Spark read as an array per row).
/// </summary>
internal static class EmbedCommand
{
    public static readonly string[] AudioExtensions = [".wav", ".wave", ".mp3", ".ogg", ".oga"];

    /// <param name="environment">Reads environment variables (for <c>--shard auto</c>); the process's by default.</param>
    public static Command Create(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var inputs = new Argument<string[]>("inputs") { Description = "Audio files and/or folders (WAV, MP3, Ogg Vorbis)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "--out", "-o") { Description = "File to write: CSV, or Parquet when it ends in .parquet (or with --format)", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or parquet (default: from the --output extension, .parquet for Parquet, else CSV)" };
        var model = new Option<string?>("--model", "-m") { Description = "Coala.ML ONNX encoder (default: the model installed with Coala.ML)" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Search folders recursively" };
        var pooling = new Option<CoalaPooling>("--pooling") { Description = "Mean (1152 values) or MeanAndStd (2304)", DefaultValueFactory = _ => CoalaPooling.Mean };
        var threads = new Option<int?>("--threads") { Description = "Files embedded in parallel (default: processor count); each encoder run then gets the cores divided by this number as ONNX Runtime threads" };
        var gpu = new Option<int?>("--gpu") { Description = "CUDA device id (needs the CUDA libraries; falls back to CPU)" };
        var shard = new Option<string?>("--shard")
        {
            Description = "i/N: embed only shard i (0-based) of N of the sorted input list, for fanning out over machines; " +
                          $"auto: i and N from a Slurm array ({ShardSpec.SlurmIdVariable}, {ShardSpec.SlurmCountVariable}) or a Kubernetes Indexed Job " +
                          $"({ShardSpec.KubernetesIndexVariable}, with --shard-count or {ShardSpec.CountVariable})",
        };
        var shardCount = new Option<int?>("--shard-count") { Description = $"N for --shard auto (a Kubernetes Indexed Job's completions; default: {ShardSpec.CountVariable}, or Slurm's {ShardSpec.SlurmCountVariable})" };

        var c = new Command("embed", "Embed audio files with a COALA encoder into a CSV or Parquet file (path, then the vector).")
        {
            inputs, output, format, model, recursive, pooling, threads, gpu, shard, shardCount,
        };
        c.SetAction(r =>
        {
            ShardSpec? spec = null;
            if (r.GetValue(shard) is { } text)
            {
                try { spec = ShardSpec.Resolve(text, r.GetValue(shardCount), environment); }
                catch (CoalaException e) { return CliError.Fail("embed", e.Message); }
            }
            else if (r.GetValue(shardCount) is not null) return CliError.Fail("embed", "--shard-count goes with --shard auto");
            return Run(r.GetValue(inputs)!, r.GetValue(output)!, r.GetValue(format), r.GetValue(model), r.GetValue(recursive),
                r.GetValue(pooling), r.GetValue(threads) ?? Environment.ProcessorCount, r.GetValue(gpu), spec);
        });
        return c;
    }

    /// <summary>Output formats of <c>coala embed</c>.</summary>
    public enum OutputFormat { Csv, Parquet }

    /// <summary>The format asked for with <c>--format</c>, else the one the output's extension names (.parquet), else CSV.</summary>
    public static OutputFormat ParseFormat(string? format, string output) => format?.Trim().ToLowerInvariant() switch
    {
        null or "" => Path.GetExtension(output).Equals(".parquet", StringComparison.OrdinalIgnoreCase) ? OutputFormat.Parquet : OutputFormat.Csv,
        "csv" => OutputFormat.Csv,
        "parquet" => OutputFormat.Parquet,
        _ => throw new CoalaException($"--format '{format}': expected csv or parquet"),
    };

    /// <summary>Expands folders into their audio files (sorted), keeping explicit files as given.</summary>
    public static List<string> ListInputs(IEnumerable<string> inputs, bool recursive, List<(string Path, string Error)> failures)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                    failures.Add((input, $"folder holds no audio files ({string.Join(", ", AudioExtensions)}){(recursive ? "" : "; use --recursive for subfolders")}"));
                files.AddRange(found);
            }
            else if (File.Exists(input)) files.Add(input);
            else failures.Add((input, "no such file or folder"));
        }
        return files;
    }

    /// <summary>
    /// Shard <paramref name="index"/> of <paramref name="count"/>: every file whose position in the ordinal-sorted,
    /// de-duplicated list is congruent to the index. Deterministic, disjoint, and the shards cover the list.
    /// </summary>
    public static List<string> Shard(IEnumerable<string> files, int index, int count) =>
        files.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Where((_, i) => i % count == index).ToList();

    /// <summary>Parses "i/N" (0 &lt;= i &lt; N).</summary>
    public static (int Index, int Count) ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n)
            return (i, n);
        throw new CoalaException($"--shard '{text}': expected i/N with 0 <= i < N, e.g. 0/4");
    }

    /// <summary>
    /// ONNX Runtime threads per encoder run when <paramref name="filesInParallel"/> files are embedded at once: the
    /// cores shared out (at least 1), or 0 (ONNX Runtime's choice) for one file at a time. Two files with two
    /// threads each on two cores oversubscribe them (ONNX Runtime's workers spin while they wait): 15% slower here.
    /// </summary>
    public static int EncoderThreadsFor(int filesInParallel, int? cores = null) =>
        filesInParallel <= 1 ? 0 : Math.Max(1, (cores ?? Environment.ProcessorCount) / filesInParallel);

    private static int Run(string[] inputs, string output, string? formatName, string? modelPath, bool recursive, CoalaPooling pooling, int threads, int? gpu, ShardSpec? shard)
    {
        // Messages are plain lines on Console.Error (CliError's "coala embed: ..." for errors): Spectre.Console would
        // wrap them at 80 columns when stderr is not a terminal, splitting paths. Spectre draws the progress bar only.
        var err = Console.Error;
        OutputFormat format;
        try { format = ParseFormat(formatName, output); }
        catch (CoalaException e) { return CliError.Fail("embed", e.Message); }
        var failures = new List<(string Path, string Error)>();
        var files = ListInputs(inputs, recursive, failures);
        if (shard is not null)
        {
            files = Shard(files, shard.Index, shard.Count);
            err.WriteLine($"coala embed: shard {shard.Index}/{shard.Count} ({shard.Source}): {files.Count} file(s)");
        }
        if (files.Count == 0)
        {
            WriteFailures(err, failures);
            return CliError.Fail("embed", "nothing to embed");
        }

        CoalaEmbedder embedder;
        try { embedder = new CoalaEmbedder(new CoalaEmbedOptions { ModelPath = modelPath, Pooling = pooling }, gpu, encoderThreads: EncoderThreadsFor(threads)); }
        catch (CoalaException e) { return CliError.Fail("embed", e.Message); }

        using (embedder)
        {
            var results = new float[]?[files.Count];
            var errors = new (string, string)?[files.Count];
            var clock = System.Diagnostics.Stopwatch.StartNew();
            void EmbedAll(Action? onFileDone) =>
                Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
                {
                    try { results[i] = embedder.EmbedFile(files[i]); }
                    catch (CoalaException e) { errors[i] = (files[i], e.Message); }
                    catch (Exception e) when (e is not OutOfMemoryException) { errors[i] = (files[i], $"unexpected {e.GetType().Name}: {e.Message}"); }
                    onFileDone?.Invoke();
                });
            if (Console.IsErrorRedirected) EmbedAll(null); // a log, not a terminal: no progress bar
            else
            {
                int done = 0;
                var progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(err) });
                progress.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask($"embedding {files.Count} files", maxValue: files.Count);
                        EmbedAll(() => task.Value = Interlocked.Increment(ref done));
                    });
            }
            failures.AddRange(errors.Where(e => e.HasValue).Select(e => e!.Value));
            double seconds = clock.Elapsed.TotalSeconds;
            int ok = results.Count(r => r != null);
            if (ok == 0)
            {
                // Nothing embedded: no file at all (not a header-only one that a merge would take for a shard's result).
                WriteFailures(err, failures);
                return CliError.Fail("embed", $"none of the {files.Count} input(s) could be embedded; nothing written to {output}");
            }

            try
            {
                if (format == OutputFormat.Parquet) WriteParquet(output, files, results, embedder.Dimension);
                else WriteCsv(output, files, results, embedder.Dimension);
            }
            catch (CoalaException e) { return CliError.Fail("embed", e.Message); }
            err.WriteLine($"wrote {ok} embeddings ({embedder.Dimension} values each) to {output}");
            err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"embedding took {seconds:F2} s ({files.Count / Math.Max(seconds, 1e-9):F2} files/s, model load and output not counted)"));
            WriteFailures(err, failures);
            return failures.Count == 0 ? 0 : 2;
        }
    }

    /// <summary>"N input(s) failed:" and one unwrapped line per failure (the message alone when it names the path).</summary>
    private static void WriteFailures(TextWriter err, List<(string Path, string Error)> failures)
    {
        if (failures.Count == 0) return;
        err.WriteLine($"{failures.Count} input(s) failed:");
        foreach (var (p, e) in failures) err.WriteLine(e.Contains(p, StringComparison.Ordinal) ? $"  {e}" : $"  {p}: {e}");
    }

    /// <summary>Writes the header and one row per successful file, atomically.</summary>
    public static void WriteCsv(string output, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension) =>
        WriteAtomically(output, tmp => WriteCsvTo(tmp, files, vectors, dimension));

    /// <summary>
    /// Writes one Parquet row per successful file, atomically: <c>path</c> (string) and <c>embedding</c>
    /// (<c>list&lt;float&gt;</c> of <paramref name="dimension"/> values), in one row group, Snappy-compressed.
    /// </summary>
    public static void WriteParquet(string output, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension) =>
        WriteAtomically(output, tmp => ParquetEmbeddings.Write(tmp, files, vectors, dimension));

    /// <summary>Runs <paramref name="write"/> on a temporary file beside <paramref name="output"/>, then moves it into place.</summary>
    private static void WriteAtomically(string output, Action<string> write)
    {
        string tmp;
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
            Directory.CreateDirectory(dir);
            tmp = Path.Combine(dir, $".{Path.GetFileName(output)}.{Environment.ProcessId}.tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CoalaException($"cannot write the output: {e.Message}", output, e);
        }
        try
        {
            write(tmp);
            File.Move(tmp, output, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception) { /* best effort */ }
            throw new CoalaException($"cannot write the output: {e.Message}", output, e);
        }
        catch
        {
            try { File.Delete(tmp); } catch (Exception) { /* best effort */ }
            throw;
        }
    }

    private static void WriteCsvTo(string tmp, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension)
    {
        using (var w = new StreamWriter(tmp, false, new UTF8Encoding(false)))
        {
            w.Write("path");
            for (int d = 0; d < dimension; d++) w.Write($",e{d}");
            w.WriteLine();
            for (int i = 0; i < files.Count; i++)
            {
                if (vectors[i] is not { } v) continue;
                w.Write(Quote(files[i]));
                foreach (var x in v) { w.Write(','); w.Write(x.ToString("R", CultureInfo.InvariantCulture)); }
                w.WriteLine();
            }
        }
    }

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
