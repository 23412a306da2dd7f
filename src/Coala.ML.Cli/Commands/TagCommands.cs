using System.CommandLine;
using System.Globalization;
using Coala.ML.Export;
using Coala.ML.Model;
using Coala.ML.Training.Data;
using Coala.ML.Training.Evaluation;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// Search by tag in COALA's shared audio-tag space: <c>coala tags</c> (closest tags of a clip, or <c>--eval</c>
/// precision@10 on a prepared corpus's validation split) and <c>coala search</c> (clips ranked by a tag query).
/// Both need the tag model that <c>coala export --tags</c> writes beside the encoder.
/// </summary>
internal static class TagCommands
{
    public static IEnumerable<Command> Create() => [CreateTags(), CreateSearch()];

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
        var c = new Command("tags", "Print the vocabulary tags closest to each audio file in COALA's shared audio-tag space (AE-C/E-C models exported with --tags).")
        {
            files, model, tagModel, top, eval, data, k,
        };
        c.SetAction(r => Tags(r.GetValue(files) ?? [], r.GetValue(model), r.GetValue(tagModel), r.GetValue(top),
            r.GetValue(eval), r.GetValue(data), r.GetValue(k)));
        return c;
    }

    private static Command CreateSearch()
    {
        var query = new Argument<string>("query") { Description = "Tags, e.g. \"dog bark\" (one shared-space vector for all of them together)" };
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

    private static int Fail(string verb, string message) => CliError.Fail(verb, message);

    private static int Tags(string[] files, string? modelPath, string? tagModelPath, int top, bool eval, string? data, int k)
    {
        try
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
            using var embedder = new CoalaEmbedder(new CoalaEmbedOptions { ModelPath = modelPath });
            int failed = 0;
            foreach (var file in files)
            {
                IReadOnlyList<(string Tag, float Cosine)> tags;
                try { tags = index.Tags(embedder.EmbedFile(file), top); }
                catch (CoalaException e) { Console.Error.WriteLine(Printable.Escape($"coala tags: {e.Message}")); failed++; continue; }
                if (files.Length > 1) Console.WriteLine(Printable.Escape(file));
                int w = tags.Max(t => t.Tag.Length);
                foreach (var (tag, cos) in tags)
                    Console.WriteLine($"{(files.Length > 1 ? "  " : "")}{tag.PadRight(w)}  {cos.ToString("0.000", CultureInfo.InvariantCulture)}");
            }
            return failed == 0 ? 0 : failed < files.Length ? 2 : 1;
        }
        catch (CoalaException e) { return Fail("tags", e.Message); }
    }

    /// <summary>Query words as training normalised them (lower-case, singular); words it would drop are kept lower-cased, so they are reported as unknown.</summary>
    internal static string[] QueryWords(string query) =>
        query.Split([' ', '\t', ',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => TagProcessor.Normalize([w]) is [var n] ? n : w.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal).ToArray();

    private static int Search(string query, string[] inputs, string? modelPath, string? tagModelPath, int top, bool recursive, int threads)
    {
        try
        {
            if (top < 1) return Fail("search", $"--top must be at least 1, got {top}");
            var words = QueryWords(query);
            if (words.Length == 0) return Fail("search", "the query has no tags");
            using var index = new CoalaTagIndex(modelPath, tagModelPath);
            var q = index.Query(words); // unknown tags fail here, before any audio is read
            var failures = new List<(string Path, string Error)>();
            var notes = new List<(string Path, string Note)>();
            var files = EmbedCommand.ListInputs(inputs, recursive, failures, notes);
            foreach (var (p, n) in notes) Console.Error.WriteLine(Printable.Escape($"coala search: note: {p}: {n}"));
            if (files.Count == 0)
            {
                foreach (var (p, e) in failures) Console.Error.WriteLine(Printable.Escape($"coala search: {p}: {e}"));
                return Fail("search", "no audio files to search");
            }
            using var embedder = new CoalaEmbedder(new CoalaEmbedOptions { ModelPath = modelPath });
            var scores = new float?[files.Count];
            var errors = new string?[files.Count];
            var truncated = new string?[files.Count];
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
            {
                try { scores[i] = CoalaTagIndex.Cosine(q, index.AlignAudio(embedder.EmbedFile(files[i], out truncated[i]))); }
                catch (CoalaException e) { errors[i] = e.Message; }
            });
            for (int i = 0; i < files.Count; i++)
            {
                if (errors[i] is { } e) failures.Add((files[i], e));
                else if (truncated[i] is { } t) Console.Error.WriteLine(Printable.Escape($"coala search: warning: {files[i]}: {t}; what it holds was searched"));
            }
            var ranked = Enumerable.Range(0, files.Count).Where(i => scores[i].HasValue)
                .OrderByDescending(i => scores[i]!.Value).ThenBy(i => files[i], StringComparer.Ordinal).Take(top).ToList();
            Console.WriteLine($"# query: {string.Join(" ", words)} ({files.Count - failures.Count(f => files.Contains(f.Path))} clips)");
            int rank = 0;
            foreach (var i in ranked)
                Console.WriteLine($"{++rank,3}  {scores[i]!.Value.ToString("0.000", CultureInfo.InvariantCulture)}  {Printable.Escape(files[i])}");
            foreach (var (p, e) in failures)
                Console.Error.WriteLine(Printable.Escape(e.Contains(p, StringComparison.Ordinal) ? $"coala search: {e}" : $"coala search: {p}: {e}"));
            return failures.Count == 0 ? 0 : ranked.Count > 0 ? 2 : 1;
        }
        catch (CoalaException e) { return Fail("search", e.Message); }
    }
}
