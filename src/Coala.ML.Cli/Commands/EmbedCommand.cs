using System.CommandLine;
using System.Globalization;
using System.Text;
using Coala.ML.IO;
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
        var output = new Option<string>("--output", "--out", "-o") { Description = "File to write: CSV, or Parquet when it ends in .parquet (or with --format); - for standard output", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or parquet (default: from the --output extension, .parquet for Parquet, else CSV)" };
        var model = new Option<string?>("--model", "-m") { Description = "Coala.ML ONNX encoder (default: the model installed with Coala.ML)" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Search folders recursively" };
        var pooling = new Option<CoalaPooling>("--pooling") { Description = "Mean (1152 values), MeanAndStd (2304), or None: one row per window with its start_s and end_s", DefaultValueFactory = _ => CoalaPooling.Mean };
        var hop = new Option<double?>("--hop") { Description = "With --pooling None: seconds between window starts, rounded to frames of 23.3 ms (default: one window, 2.23 s, no overlap)" };
        var threads = new Option<int?>("--threads") { Description = "Files embedded in parallel (default: processor count); each encoder run then gets the cores divided by this number as ONNX Runtime threads" };
        var gpu = new Option<int?>("--gpu") { Description = "CUDA device id (needs the CUDA libraries; falls back to CPU)" };
        var shard = new Option<string?>("--shard")
        {
            Description = "i/N: embed only shard i (0-based) of N of the sorted input list, for fanning out over machines; " +
                          $"auto: i and N from a Slurm array ({ShardSpec.SlurmIdVariable}, {ShardSpec.SlurmCountVariable}) or a Kubernetes Indexed Job " +
                          $"({ShardSpec.KubernetesIndexVariable}, with --shard-count or {ShardSpec.CountVariable})",
        };
        var shardCount = new Option<int?>("--shard-count") { Description = $"N for --shard auto (a Kubernetes Indexed Job's completions; default: {ShardSpec.CountVariable}, or Slurm's {ShardSpec.SlurmCountVariable})" };
        var force = new Option<bool>("--force") { Description = "Write the output even when its name has an audio extension (.wav, .mp3, ...)" };

        var c = new Command("embed", "Embed audio files with a COALA encoder into a CSV or Parquet file (path, then the vector).")
        {
            inputs, output, format, model, recursive, pooling, hop, threads, gpu, shard, shardCount, force,
        };
        c.SetAction(r =>
        {
            ShardSpec? spec = null;
            if (r.GetValue(shard) is { } text)
                spec = ShardSpec.Resolve(text, r.GetValue(shardCount), environment);
            else if (r.GetValue(shardCount) is not null) return CliError.Fail("embed", "--shard-count goes with --shard auto");
            if (r.GetValue(hop) is not null && r.GetValue(pooling) != CoalaPooling.None) return CliError.Fail("embed", "--hop goes with --pooling None (per-window rows)");
            return Run(r.GetValue(inputs)!, r.GetValue(output)!, r.GetValue(format), r.GetValue(model), r.GetValue(recursive),
                r.GetValue(pooling), r.GetValue(threads) ?? Environment.ProcessorCount, r.GetValue(gpu), spec, r.GetValue(force), r.GetValue(hop));
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

    /// <summary>
    /// Expands folders into their audio files (sorted), keeping explicit files as given. Only regular files are listed
    /// (a FIFO, device or socket would block or never end): others are failures with the reason. With
    /// <paramref name="recursive"/> each real folder is walked once, however many links lead to it; a link back into
    /// a folder already walked (a loop) is skipped and noted in <paramref name="notes"/>.
    /// </summary>
    public static List<string> ListInputs(IEnumerable<string> inputs, bool recursive, List<(string Path, string Error)> failures,
        List<(string Path, string Note)>? notes = null)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            var status = FileStatus.Of(input);
            if (status.Kind == FileKind.Directory)
            {
                var found = FolderWalker.Files(input, recursive, f => AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()), failures, notes);
                if (found.Count == 0)
                    failures.Add((input, $"folder holds no audio files ({string.Join(", ", AudioExtensions)}){(recursive ? "" : "; use --recursive for subfolders")}"));
                files.AddRange(found);
            }
            else if (status.Kind == FileKind.Regular) files.Add(input);
            else if (status.Kind == FileKind.Missing) failures.Add((input, FolderWalker.NotFound(input)));
            else failures.Add((input, $"skipped: {FileStatus.Describe(status.Kind)}, not a regular file"));
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

    /// <summary><c>-o -</c>: standard output (tests replace it).</summary>
    internal static Func<Stream> StandardOutput = Console.OpenStandardOutput;

    /// <summary>
    /// Why <paramref name="output"/> must not be written, or <c>null</c>: it is one of <paramref name="inputs"/> (same
    /// file after resolving links: same device and inode), or its name has an audio extension and <paramref name="force"/>
    /// is not set.
    /// </summary>
    public static string? OutputRefusal(string output, IReadOnlyList<string> inputs, bool force)
    {
        var target = FileStatus.Of(output);
        if (target.Kind is FileKind.Regular)
            foreach (var input in inputs)
                if (FileStatus.Of(input).SameAs(target))
                    return $"the output {output} is also an input ({input}); refusing to overwrite it";
        string ext = Path.GetExtension(output).ToLowerInvariant();
        if (!force && target.Kind is FileKind.Regular or FileKind.Missing && AudioExtensions.Contains(ext))
            return $"the output {output} has an audio extension ({ext}); refusing to write embeddings over audio (pass --force to write it anyway)";
        return null;
    }

    private static int Run(string[] inputs, string output, string? formatName, string? modelPath, bool recursive, CoalaPooling pooling, int threads, int? gpu, ShardSpec? shard, bool force, double? hop = null)
    {
        // Messages are plain lines on Console.Error (CliError's "coala embed: ..." for errors): Spectre.Console would
        // wrap them at 80 columns when stderr is not a terminal, splitting paths. Spectre draws the progress bar only.
        var err = Console.Error;
        var format = ParseFormat(formatName, output);
        var failures = new List<(string Path, string Error)>();
        var notes = new List<(string Path, string Note)>();
        var files = ListInputs(inputs, recursive, failures, notes);
        foreach (var (p, n) in notes) err.WriteLine(Printable.Escape($"coala embed: note: {p}: {n}"));
        bool toStdout = output == "-";
        if (!toStdout && OutputRefusal(output, files, force) is { } refusal)
            return CliError.Fail("embed", refusal);
        int listed = files.Count;
        if (shard is not null)
        {
            files = Shard(files, shard.Index, shard.Count);
            err.WriteLine($"coala embed: shard {shard.Index}/{shard.Count} ({shard.Source}): {files.Count} file(s)");
        }
        // A shard left without files still writes its (header-only) output and succeeds, so an array job's task does
        // not fail for having been given more tasks than files.
        if (files.Count == 0 && !(shard is not null && listed > 0))
        {
            WriteFailures(err, failures);
            return CliError.Fail("embed", "nothing to embed");
        }

        // The output (its temporary file) is created before any work, so an unwritable output fails at once. Leaving
        // this block before the commit (an error on the way) removes the temporary file.
        using (var target = toStdout ? AtomicFile.ForStream(StandardOutput(), "standard output") : AtomicFile.Create(output))
        using (var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = modelPath, Pooling = pooling, GpuDeviceId = gpu, IntraOpNumThreads = EncoderThreadsFor(threads) }))
        {
            if (gpu is int device)
                Console.Error.WriteLine(CliError.Line("embed", embedder.GpuFallbackReason is { } why
                    ? $"execution provider CPU (CUDA device {device} unavailable: {why})"
                    : $"execution provider CUDA (device {device})"));
            if (pooling == CoalaPooling.None)
            {
                // The hop's range depends on the model, so it is checked once the model is loaded, and named as the option.
                try { embedder.WindowHopFrames(hop); }
                catch (ArgumentOutOfRangeException e) { throw new CoalaException($"--hop {hop}: {CliError.Reason(e)}", null, e); }
            }

            var results = new float[]?[files.Count];
            bool perWindow = pooling == CoalaPooling.None;
            var windows = new IReadOnlyList<CoalaWindow>?[files.Count];
            var truncated = new string?[files.Count];   // cut files are embedded as far as they go, with a warning
            var errors = new (string, string)?[files.Count];
            var clock = System.Diagnostics.Stopwatch.StartNew();
            void EmbedAll(Action? onFileDone) =>
                Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
                {
                    try
                    {
                        if (perWindow) results[i] = (windows[i] = embedder.EmbedFileWindows(files[i], hop, out truncated[i]))[0].Embedding;
                        else results[i] = embedder.EmbedFile(files[i], out truncated[i]);
                    }
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
            if (ok == 0 && files.Count > 0)
            {
                // Nothing embedded: no file at all (not a header-only one that a merge would take for a shard's result);
                // the temporary file is discarded uncommitted, so an existing output is left as it was.
                WriteFailures(err, failures);
                return CliError.Fail("embed", $"none of the {files.Count} input(s) could be embedded; nothing written to {output}");
            }

            Write(target, format, files, results, embedder.Dimension, perWindow ? windows : null);
            err.WriteLine($"wrote {ok} embeddings ({embedder.Dimension} values each) to {(toStdout ? "standard output" : Printable.Escape(output))}"
                + (embedder.Quantization is { } q ? $" with a quantized encoder ({q})" : ""));
            err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"embedding took {seconds:F2} s ({files.Count / Math.Max(seconds, 1e-9):F2} files/s, model load and output not counted)"));
            var cut = Enumerable.Range(0, files.Count).Where(i => truncated[i] is not null && results[i] is not null).ToList();
            if (cut.Count > 0)
            {
                err.WriteLine($"coala embed: warning: {cut.Count} file(s) are truncated; what they hold was embedded:");
                foreach (var i in cut) err.WriteLine(Printable.Escape($"  {files[i]}: {truncated[i]}"));
            }
            WriteFailures(err, failures);
            return failures.Count == 0 ? 0 : 2;
        }
    }

    /// <summary>"N input(s) failed:" and one unwrapped line per failure (the message alone when it names the path), control characters escaped.</summary>
    private static void WriteFailures(TextWriter err, List<(string Path, string Error)> failures)
    {
        if (failures.Count == 0) return;
        err.WriteLine($"{failures.Count} input(s) failed:");
        foreach (var (p, e) in failures) err.WriteLine(Printable.Escape(e.Contains(p, StringComparison.Ordinal) ? $"  {e}" : $"  {p}: {e}"));
    }

    /// <summary>Writes the rows to <paramref name="target"/> and completes it (renames its temporary file into place).</summary>
    private static void Write(AtomicFile target, OutputFormat format, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension,
        IReadOnlyList<IReadOnlyList<CoalaWindow>?>? windows = null)
    {
        try
        {
            if (windows is not null)
            {
                var rows = new List<(string Path, CoalaWindow Window)>();
                for (int i = 0; i < files.Count; i++)
                    if (windows[i] is { } ws) rows.AddRange(ws.Select(w => (files[i], w)));
                if (format == OutputFormat.Parquet) ParquetEmbeddings.WriteWindows(target.Stream, rows, dimension);
                else WriteWindowCsvTo(target.Stream, rows, dimension);
            }
            else if (format == OutputFormat.Parquet) ParquetEmbeddings.Write(target.Stream, files, vectors, dimension);
            else WriteCsvTo(target.Stream, files, vectors, dimension);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoalaException($"cannot write the output: {e.Message}", target.Path, e);
        }
        target.Commit();
    }

    /// <summary>Per-window rows: path, start_s, end_s, then the vector.</summary>
    private static void WriteWindowCsvTo(Stream stream, IReadOnlyList<(string Path, CoalaWindow Window)> rows, int dimension)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        w.Write("path,start_s,end_s");
        for (int d = 0; d < dimension; d++) w.Write($",e{d}");
        w.WriteLine();
        foreach (var (path, win) in rows)
        {
            w.Write(Quote(path));
            w.Write(string.Create(CultureInfo.InvariantCulture, $",{win.StartSeconds:0.######},{win.EndSeconds:0.######}"));
            foreach (var x in win.Embedding) { w.Write(','); w.Write(x.ToString("R", CultureInfo.InvariantCulture)); }
            w.WriteLine();
        }
    }

    private static void WriteCsvTo(Stream stream, IReadOnlyList<string> files, IReadOnlyList<float[]?> vectors, int dimension)
    {
        using (var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
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

    /// <summary>
    /// A CSV field: quoted when it holds a comma, quote or line break. A path a spreadsheet would run as a formula
    /// (first character = + - @, tab or carriage return) gets a leading ' inside quotes, the OWASP CSV-injection rule.
    /// </summary>
    internal static string Quote(string s)
    {
        bool formula = s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (formula) s = "'" + s;
        return formula || s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
