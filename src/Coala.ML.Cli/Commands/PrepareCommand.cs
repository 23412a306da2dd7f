using System.CommandLine;
using System.Globalization;
using Coala.ML.Features;
using Coala.ML.Training;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// <c>coala prepare --csv tags.csv --folder dir --output dir</c>: audio + tags to a training set
/// (see <see cref="PreparedCorpus.Prepare"/>). Progress on stderr, summary on stdout; a re-run with the same inputs
/// and options prints "up to date"; an interrupted run resumes from its patch cache.
/// </summary>
internal static class PrepareCommand
{
    /// <summary>What an interrupted run keeps and how to continue it (printed after "interrupted" with exit code 130).</summary>
    internal const string ResumeHint = "the files decoded so far are cached; run the same command again to resume";

    public static Command Create()
    {
        var csv = new Option<string?>("--csv") { Description = "Tag CSV: 'path,tags' (space-separated tags; paths relative to the CSV's folder or absolute)" };
        var folder = new Option<string?>("--folder") { Description = "Audio folder: each file is tagged with the words of its relative path" };
        var output = new Option<string>("--output", "--out", "-o") { Description = "Output directory of the prepared corpus", Required = true };
        var minCount = new Option<int>("--min-count") { Description = "Drop tags on fewer clips", DefaultValueFactory = _ => 10 };
        var vocab = new Option<int>("--vocab") { Description = "Keep at most this many tags, the most frequent", DefaultValueFactory = _ => 1000 };
        var maxShare = new Option<double>("--max-share") { Description = "Drop tags on more than this share of the clips", DefaultValueFactory = _ => 0.7 };
        var seed = new Option<int>("--seed") { Description = "Seed of the train/validation split", DefaultValueFactory = _ => 0 };
        var nearDuplicate = new Option<double>("--near-duplicate-threshold")
        {
            Description = "Drop a clip whose patch (mean removed) has cosine similarity above this with an earlier kept clip; 0 disables",
            DefaultValueFactory = _ => PrepareOptions.DefaultNearDuplicateThreshold,
        };
        var threads = new Option<int?>("--threads") { Description = "Files decoded in parallel (default: processor count)" };
        var patchesPerClip = new Option<int>("--patches-per-clip")
        {
            Description = "Training patches a clip may give: the highest-energy one (the reference, 1) and then further non-overlapping windows inside the clip; validation keeps one per clip",
            DefaultValueFactory = _ => 1,
        };

        var c = new Command("prepare", "Turn audio files and their tags into a training set (log-mel patches, multi-hot tags, 90/10 split, scaler).")
        {
            csv, folder, output, minCount, vocab, maxShare, seed, nearDuplicate, threads, patchesPerClip,
        };
        c.SetAction((r, cancel) => Task.FromResult(Run(r.GetValue(patchesPerClip), new PrepareOptions
        {
            CsvPath = r.GetValue(csv),
            Folder = r.GetValue(folder),
            OutputDirectory = r.GetValue(output)!,
            MinCount = r.GetValue(minCount),
            MaxVocabulary = r.GetValue(vocab),
            MaxShare = r.GetValue(maxShare),
            Seed = r.GetValue(seed),
            Threads = r.GetValue(threads) ?? Environment.ProcessorCount,
            NearDuplicateThreshold = r.GetValue(nearDuplicate),
        }, cancel)));
        return c;
    }

    internal static int Run(int patchesPerClip, PrepareOptions options, CancellationToken cancel)
    {
        var err = Console.Error;
        var progress = new ProgressLine(err);
        PrepareResult result;
        try
        {
            result = PreparedCorpus.Prepare(options with { PatchesPerClip = patchesPerClip }, progress, cancel);
        }
        finally
        {
            progress.End(); // so that an error (CliError, for the verb) starts on a line of its own
        }
        Print(result, Path.GetFullPath(options.OutputDirectory), Console.Out);
        return 0;
    }

    internal static void Print(PrepareResult result, string outDir, TextWriter w)
    {
        var m = result.Manifest;
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine(result.UpToDate
            ? $"up to date: {outDir}"
            : $"prepared {outDir}");
        w.WriteLine(m.TrainClips is int trainClips
            ? string.Create(inv, $"clips kept: {trainClips + m.Validation} ({trainClips} train, {m.Validation} validation); training patches: {m.Train} (up to {m.PatchesPerClip} a clip); tags: {m.VocabularySize}")
            : string.Create(inv, $"clips kept: {m.Clips} ({m.Train} train, {m.Validation} validation); tags: {m.VocabularySize}"));
        if (!result.UpToDate && result.FromCache > 0) w.WriteLine(string.Create(inv, $"patches from the cache: {result.FromCache}"));
        if (m.Dropped > 0)
        {
            w.WriteLine(string.Create(inv, $"dropped: {m.Dropped} ({result.DroppedSummary}); reasons in {Path.Combine(outDir, PrepareResult.DroppedFileName)}"));
            foreach (var d in result.Dropped.Where(d => d.Category is not DropCategory.NoTags and not DropCategory.NoVocabularyTag and not DropCategory.Duplicate and not DropCategory.NearDuplicate).Take(5))
                w.WriteLine($"  {d.Reason}");
        }
        if (result.TagCounts.Count > 0)
            w.WriteLine("most frequent tags: " + string.Join(", ", result.TagCounts.Take(30).Select(t => string.Create(inv, $"{t.Tag} {t.Clips}"))));
    }

    /// <summary>One progress line on stderr, rewritten in place on a terminal, every 10 s when redirected.</summary>
    private sealed class ProgressLine(TextWriter err) : IProgress<PrepareProgress>
    {
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private long _last = -1;
        private bool _open;

        public void Report(PrepareProgress p)
        {
            long now = Environment.TickCount64;
            bool final = p.Done == p.Total;
            if (!_terminal && !final && _last >= 0 && now - _last < 10_000) return;
            _last = now;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"decoding {p.Done}/{p.Total} ({100.0 * p.Done / Math.Max(1, p.Total):0}%), {p.Failed} failed, {p.FromCache} cached");
            if (_terminal) { err.Write("\r" + line.PadRight(70)); _open = true; }
            else err.WriteLine(line);
        }

        public void End()
        {
            if (_open) err.WriteLine();
            _open = false;
        }
    }
}
