using System.CommandLine;
using System.Globalization;
using Coala.ML.Export;
using Coala.ML.Model;
using Coala.ML.Training;
using Coala.ML.Evaluation;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// Search by tag in COALA's shared audio-tag space: <c>coala tags</c> (closest tags of a clip, or <c>--eval</c>
/// precision@10 on a prepared corpus's validation split) and <c>coala search</c> (clips ranked by a tag query).
/// Both need the tag model that <c>coala export --tags</c> writes beside the encoder.
/// </summary>
internal static class TagCommands
{
    public static IEnumerable<Command> Create() => [CreateTags(), CreateSearch(), CreateClassify()];

    /// <summary>The example of <c>search --help</c>: words of the shipped model's vocabulary (a test checks them there).</summary>
    internal const string SearchExample = "guitar strum";

    private static Option<string?> ModelOption() => new("--model", "-m") { Description = "Coala.ML ONNX encoder (default: the model installed with Coala.ML)" };
    private static Option<string?> TagModelOption() => new("--tag-model") { Description = "Tag model (default: <encoder name>.tags.onnx beside the encoder; written by coala export --tags)" };

    private static Command CreateTags()
    {
        var files = new Argument<string[]>("files") { Description = "Audio files (WAV, MP3, Ogg Vorbis)", Arity = ArgumentArity.ZeroOrMore };
        var model = ModelOption();
        var tagModel = TagModelOption();
        var top = new Option<int>("--top") { Description = "Tags to print per file", DefaultValueFactory = _ => 10 };
        var eval = new Option<bool>("--eval") { Description = "Instead: precision@k and recall@k of tag ranking and tag→audio retrieval on the validation split of --data, as a markdown table" };
        var data = new Option<string?>("--data") { Description = "Prepared corpus folder (coala prepare) for --eval" };
        var k = new Option<int>("--k") { Description = "k of precision@k for --eval", DefaultValueFactory = _ => 10 };
        var vocabulary = new Option<bool>("--vocabulary") { Description = "Instead: list the model's vocabulary, most frequent first, with each word's training-clip count where the model stores it" };
        var c = new Command("tags", "Print the vocabulary tags closest to each audio file in COALA's shared audio-tag space (AE-C/E-C models exported with --tags).")
        {
            files, model, tagModel, top, eval, data, k, vocabulary,
        };
        c.SetAction(r => r.GetValue(vocabulary)
            ? Vocabulary(r.GetValue(files) ?? [], r.GetValue(model), r.GetValue(tagModel))
            : Tags(r.GetValue(files) ?? [], r.GetValue(model), r.GetValue(tagModel), r.GetValue(top), r.GetValue(eval), r.GetValue(data), r.GetValue(k)));
        return c;
    }

    private static Command CreateSearch()
    {
        var query = new Argument<string>("query") { Description = $"Vocabulary tags, e.g. \"{SearchExample}\" (one shared-space vector for all of them together; coala tags --vocabulary lists them)" };
        var inputs = new Argument<string[]>("inputs") { Description = "Audio files and/or folders", Arity = ArgumentArity.OneOrMore };
        var model = ModelOption();
        var tagModel = TagModelOption();
        var top = new Option<int>("--top") { Description = "Clips to print", DefaultValueFactory = _ => 20 };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Search folders recursively" };
        var threads = new Option<int?>("--threads") { Description = "Files decoded in parallel (default: processor count)" };
        var c = new Command("search", "Rank audio files by cosine similarity to a tag query in COALA's shared audio-tag space (AE-C/E-C models exported with --tags).")
        {
            query, inputs, model, tagModel, top, recursive, threads,
        };
        c.SetAction(r => Search(r.GetValue(query)!, r.GetValue(inputs)!, r.GetValue(model), r.GetValue(tagModel), r.GetValue(top),
            r.GetValue(recursive), r.GetValue(threads) ?? Environment.ProcessorCount));
        return c;
    }

    private static Command CreateClassify()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Audio files and/or folders", Arity = ArgumentArity.OneOrMore };
        var labels = new Option<string>("--labels")
        {
            Description = "Comma-separated labels, each one or more vocabulary words, optionally named: \"kick,snare,hat=hihat\"", Required = true,
        };
        var model = ModelOption();
        var tagModel = TagModelOption();
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Search folders recursively" };
        var truth = new Option<bool>("--truth-from-folders")
        {
            Description = "Each file's true class is the first folder below the input folder it was found in (FOLDER/<class>/...): report accuracy against chance",
        };
        var threads = new Option<int?>("--threads") { Description = "Files decoded in parallel (default: processor count)" };
        var c = new Command("classify", "Zero-shot classification: the label whose tag words lie closest to each file in COALA's shared audio-tag space (no training; AE-C/E-C models exported with --tags). One TSV row per file on stdout: path, label, cosine, then every label's cosine.")
        {
            inputs, labels, model, tagModel, recursive, truth, threads,
        };
        c.SetAction(r => Classify(r.GetValue(inputs)!, r.GetValue(labels)!, r.GetValue(model), r.GetValue(tagModel), r.GetValue(recursive),
            r.GetValue(truth), r.GetValue(threads) ?? Environment.ProcessorCount));
        return c;
    }

    /// <summary>Parses "--labels": comma-separated entries "NAME=words" or "words" (the name is then the words).</summary>
    internal static List<(string Name, string Words)> ParseLabels(string spec)
    {
        var result = new List<(string, string)>();
        foreach (var entry in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=');
            string name = eq > 0 ? entry[..eq].Trim() : entry, words = eq > 0 ? entry[(eq + 1)..].Trim() : entry;
            if (words.Length == 0) throw new CoalaException($"--labels: '{Excerpt.Of(entry)}' names no words");
            if (result.Any(l => l.Item1 == name)) throw new CoalaException($"--labels: '{Excerpt.Of(name)}' is given twice");
            result.Add((name, words));
        }
        if (result.Count < 2) throw new CoalaException($"--labels: at least two labels are needed, got {result.Count}");
        return result;
    }

    private static int Classify(string[] inputs, string labelSpec, string? modelPath, string? tagModelPath, bool recursive, bool truthFromFolders, int threads)
    {
        var labels = ParseLabels(labelSpec);
        using var index = new CoalaTagIndex(modelPath, tagModelPath);
        var queries = index.LabelQueries(labels.Select(l => string.Join(' ', TagQueryWords(l.Words))).ToList());
        var (listed, aligned, _, failures) = EmbedInputs("classify", inputs, recursive, modelPath, index, threads);
        var folders = inputs.Where(Directory.Exists).ToHashSet(StringComparer.Ordinal);
        string? ClassFolder(string input, string file)
        {
            var rel = Path.GetRelativePath(input, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return rel.Length > 1 ? rel[0] : null;
        }
        var files = listed.Select(f => (f.File, Truth: truthFromFolders && folders.Contains(f.Input) ? ClassFolder(f.Input, f.File) : null)).ToList();
        var scores = aligned.Select(a => a is null ? null : queries.Select(q => CoalaTagIndex.Cosine(q.Vector, a)).ToArray()).ToArray();
        string F(float v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        Console.WriteLine("path\tlabel\tcosine\t" + string.Join('\t', labels.Select(l => l.Name)));
        int judged = 0, correct = 0;
        var perClass = new SortedDictionary<string, (int Judged, int Correct)>(StringComparer.Ordinal);
        var unlabelled = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            if (scores[i] is not { } s) continue;
            int best = 0;
            for (int j = 1; j < s.Length; j++) if (s[j] > s[best]) best = j;
            Console.WriteLine($"{EmbedCommand.Quote(files[i].File).Replace('\t', ' ')}\t{labels[best].Name}\t{F(s[best])}\t{string.Join('\t', s.Select(F))}");
            if (files[i].Truth is not { } t) continue;
            if (!labels.Any(l => l.Name == t)) { unlabelled.Add(t); continue; }
            judged++;
            bool hit = labels[best].Name == t;
            if (hit) correct++;
            var (pj, pc) = perClass.GetValueOrDefault(t);
            perClass[t] = (pj + 1, pc + (hit ? 1 : 0));
        }
        if (truthFromFolders)
        {
            if (unlabelled.Count > 0)
                Console.Error.WriteLine(Printable.Escape($"coala classify: note: folders with no label of that name were not scored: {string.Join(", ", unlabelled)}"));
            if (judged == 0) Console.Error.WriteLine("coala classify: no file had a class folder named like a label: no accuracy");
            else
            {
                double majority = perClass.Values.Max(v => v.Judged) / (double)judged;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"accuracy {100.0 * correct / judged:F1}% of {judged} files ({labels.Count} labels: chance {100.0 / labels.Count:F1}%, majority class {100 * majority:F1}%)"));
                foreach (var (cls, (j, c)) in perClass)
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Printable.Escape(cls)}: {100.0 * c / j:F1}% of {j}"));
            }
        }
        WriteFailures("classify", failures);
        int ok = scores.Count(x => x is not null);
        return failures.Count == 0 ? 0 : ok > 0 ? 2 : 1;
    }

    /// <summary>Words of a label or query as training normalised tags (see <see cref="QueryWords"/>).</summary>
    private static string[] TagQueryWords(string words) => QueryWords(words.Replace('+', ' '));

    private static int Vocabulary(string[] files, string? modelPath, string? tagModelPath)
    {
        if (files.Length > 0) return Fail("tags", "--vocabulary takes no audio files");
        using var index = new CoalaTagIndex(modelPath, tagModelPath);
        var counts = index.TagCounts;
        for (int i = 0; i < index.Vocabulary.Count; i++)
            Console.WriteLine(counts is null ? index.Vocabulary[i] : $"{index.Vocabulary[i]}\t{counts[i]}");
        if (counts is null) Console.Error.WriteLine("coala tags: note: this tag model stores no training counts (exported before they were kept); the words are in frequency order");
        return 0;
    }

    private static int Fail(string verb, string message) => CliError.Fail(verb, message);

    private static int Tags(string[] files, string? modelPath, string? tagModelPath, int top, bool eval, string? data, int k)
    {
        if (eval)
        {
            if (data is null) return Fail("tags", "--eval needs --data <prepared corpus folder>");
            if (files.Length > 0) return Fail("tags", "--eval takes no audio files");
            string encoder = ModelLocator.Resolve(modelPath);
            var result = TagSearchEvaluation.Run(data, encoder, tagModelPath, k, progress: Console.Error);
            Console.WriteLine(result.ToMarkdown(Path.GetFileName(encoder)));
            Console.WriteLine($"baseline tags: {string.Join(", ", result.BaselineTags)}");
            return 0;
        }
        if (files.Length == 0) return Fail("tags", "give audio files, or --eval --data <corpus>");
        if (top < 1) return Fail("tags", $"--top must be at least 1, got {top}");
        using var index = new CoalaTagIndex(modelPath, tagModelPath);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = modelPath });
        int failed = 0;
        foreach (var file in files)
        {
            IReadOnlyList<(string Tag, float Cosine)> tags;
            try { tags = index.Tags(embedder.EmbedFile(file), top); }
            catch (CoalaException e) { Console.Error.WriteLine(CliError.Line("tags", e.Message)); failed++; continue; } // one file's failure; the others go on
            if (files.Length > 1) Console.WriteLine(Printable.Escape(file));
            int w = tags.Max(t => t.Tag.Length);
            foreach (var (tag, cos) in tags)
                Console.WriteLine($"{(files.Length > 1 ? "  " : "")}{tag.PadRight(w)}  {cos.ToString("0.000", CultureInfo.InvariantCulture)}");
        }
        return failed == 0 ? 0 : failed < files.Length ? 2 : 1;
    }

    /// <summary>Query words as training normalised them (lower-case, singular); words it would drop are kept lower-cased, so they are reported as unknown.</summary>
    internal static string[] QueryWords(string query) =>
        query.Split([' ', '\t', ',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => TagProcessor.Normalize([w]) is [var n] ? n : w.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal).ToArray();

    private static int Search(string query, string[] inputs, string? modelPath, string? tagModelPath, int top, bool recursive, int threads)
    {
        if (top < 1) return Fail("search", $"--top must be at least 1, got {top}");
        var words = QueryWords(query);
        if (words.Length == 0) return Fail("search", "the query has no tags");
        using var index = new CoalaTagIndex(modelPath, tagModelPath);
        var q = index.Query(words); // unknown tags fail here, before any audio is read
        var (listed, aligned, truncated, failures) = EmbedInputs("search", inputs, recursive, modelPath, index, threads);
        var files = listed.Select(f => f.File).ToList();
        var scores = aligned.Select(a => a is null ? (float?)null : CoalaTagIndex.Cosine(q, a)).ToArray();
        for (int i = 0; i < files.Count; i++)
            if (scores[i] is not null && truncated[i] is { } t) Console.Error.WriteLine(Printable.Escape($"coala search: warning: {files[i]}: {t}; what it holds was searched"));
        var ranked = Enumerable.Range(0, files.Count).Where(i => scores[i].HasValue)
            .OrderByDescending(i => scores[i]!.Value).ThenBy(i => files[i], StringComparer.Ordinal).Take(top).ToList();
        Console.WriteLine($"# query: {string.Join(" ", words)} ({scores.Count(s => s.HasValue)} clips)");
        int rank = 0;
        foreach (var i in ranked)
            Console.WriteLine($"{++rank,3}  {scores[i]!.Value.ToString("0.000", CultureInfo.InvariantCulture)}  {Printable.Escape(files[i])}");
        WriteFailures("search", failures);
        return failures.Count == 0 ? 0 : ranked.Count > 0 ? 2 : 1;
    }

    /// <summary>
    /// What classify and search share: the audio files of <paramref name="inputs"/> (folders listed as embed lists
    /// them; notes printed), each embedded and aligned into the shared audio-tag space, <paramref name="threads"/> files
    /// at a time. A file that cannot be embedded becomes a failure and the others go on; with no audio file at all the
    /// listing's failures are printed and a <see cref="CoalaException"/> ends the verb.
    /// </summary>
    private static AlignedInputs EmbedInputs(string verb, string[] inputs, bool recursive, string? modelPath, CoalaTagIndex index, int threads)
    {
        var failures = new List<(string Path, string Error)>();
        var notes = new List<(string Path, string Note)>();
        var files = new List<(string File, string Input)>();
        foreach (var input in inputs)
            files.AddRange(EmbedCommand.ListInputs([input], recursive, failures, notes).Select(f => (f, input)));
        foreach (var (p, n) in notes) Console.Error.WriteLine(CliError.Line(verb, $"note: {p}: {n}"));
        if (files.Count == 0)
        {
            foreach (var (p, e) in failures) Console.Error.WriteLine(CliError.Line(verb, $"{p}: {e}"));
            throw new CoalaException($"no audio files to {verb}");
        }
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = modelPath });
        var aligned = new float[]?[files.Count];
        var truncated = new string?[files.Count];
        var errors = new string?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            try { aligned[i] = index.AlignAudio(embedder.EmbedFile(files[i].File, out truncated[i])); }
            catch (CoalaException e) { errors[i] = e.Message; } // one file's failure, reported with the others at the end
        });
        for (int i = 0; i < files.Count; i++)
            if (errors[i] is { } e) failures.Add((files[i].File, e));
        return new AlignedInputs(files, aligned, truncated, failures);
    }

    /// <param name="Files">Each audio file with the input (file or folder) it was listed from.</param>
    /// <param name="Aligned">Each file's embedding in the shared space; null where it failed.</param>
    /// <param name="Truncated">What a cut-short file is missing (its vector is that of the audio there), else null.</param>
    /// <param name="Failures">Inputs that could not be listed, then files that could not be embedded.</param>
    private sealed record AlignedInputs(List<(string File, string Input)> Files, float[]?[] Aligned, string?[] Truncated, List<(string Path, string Error)> Failures);

    /// <summary>One line per failure, unwrapped (the message alone when it names the path).</summary>
    private static void WriteFailures(string verb, List<(string Path, string Error)> failures)
    {
        foreach (var (p, e) in failures)
            Console.Error.WriteLine(CliError.Line(verb, e.Contains(p, StringComparison.Ordinal) ? e : $"{p}: {e}"));
    }
}
