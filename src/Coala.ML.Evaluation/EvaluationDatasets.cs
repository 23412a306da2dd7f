using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coala.ML.Evaluation;

/// <summary>
/// Loaders for the evaluation datasets' on-disk layouts. Each returns an <see cref="EvaluationTask"/> of (path, label)
/// folds; audio is not read here (unreadable files are reported and skipped when features are extracted).
/// A missing folder or file, an empty class folder or a malformed list is a <see cref="CoalaException"/> naming it.
/// </summary>
public static partial class EvaluationDatasets
{
    /// <summary>Audio files the loaders pick up (what Coala.ML decodes).</summary>
    public static readonly string[] AudioExtensions = [".wav", ".wave", ".mp3", ".ogg", ".oga"];

    /// <summary>Default balanced training subset per NSynth instrument family.</summary>
    public const int NSynthDefaultPerClass = 500;

    private static bool IsAudio(string path) => AudioExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static void RequireFolder(string dir, string what)
    {
        if (!Directory.Exists(dir))
            throw new CoalaException(File.Exists(dir) ? $"{what} is a file, not a folder" : $"{what} not found", dir);
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path)) throw new CoalaException($"{what} not found", path);
    }

    /// <summary>
    /// Folder-per-class: every subfolder of <paramref name="dir"/> is a class holding its audio files (searched
    /// recursively). A class folder without audio is an error (so a typo does not silently drop a class).
    /// </summary>
    public static List<LabelledClip> ClassFolders(string dir)
    {
        RequireFolder(dir, "dataset folder");
        var classDirs = Directory.GetDirectories(dir).Order(StringComparer.Ordinal).ToList();
        if (classDirs.Count == 0) throw new CoalaException("dataset folder has no class subfolders (expected DIR/<class>/*.wav)", dir);
        var clips = new List<LabelledClip>();
        foreach (var cd in classDirs)
        {
            var files = Directory.EnumerateFiles(cd, "*", SearchOption.AllDirectories).Where(IsAudio).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new CoalaException($"class folder holds no audio files ({string.Join(", ", AudioExtensions)})", cd);
            string label = Path.GetFileName(cd);
            clips.AddRange(files.Select(f => new LabelledClip(f, label)));
        }
        return clips;
    }

    /// <summary>Seeded stratified k-fold: each class is shuffled and dealt round-robin over the folds.</summary>
    public static List<EvaluationFold> StratifiedKFold(IReadOnlyList<LabelledClip> clips, int k, int seed)
    {
        if (k < 2) throw new CoalaException($"k-fold needs at least 2 folds, got {k}");
        var rng = new Random(seed);
        var foldOf = new Dictionary<LabelledClip, int>();
        int next = 0;
        foreach (var group in clips.GroupBy(c => c.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.OrderBy(c => c.Path, StringComparer.Ordinal).ToArray();
            rng.Shuffle(members);
            foreach (var c in members) foldOf[c] = next++ % k;
        }
        return Enumerable.Range(0, k).Select(f => new EvaluationFold(
            $"{f + 1}/{k}",
            clips.Where(c => foldOf[c] != f).ToList(),
            clips.Where(c => foldOf[c] == f).ToList())).ToList();
    }

    /// <summary>At most <paramref name="maxPerClass"/> clips per class, a seeded random subset (order kept).</summary>
    public static List<LabelledClip> CapPerClass(IReadOnlyList<LabelledClip> clips, int maxPerClass, int seed)
    {
        if (maxPerClass < 1) throw new CoalaException($"--max-per-class must be at least 1, got {maxPerClass}");
        var rng = new Random(seed);
        var keep = new HashSet<LabelledClip>();
        foreach (var group in clips.GroupBy(c => c.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.OrderBy(c => c.Path, StringComparer.Ordinal).ToArray();
            rng.Shuffle(members);
            keep.UnionWith(members.Take(maxPerClass));
        }
        return clips.Where(keep.Contains).ToList();
    }

    /// <summary>Folder-per-class cross-validated with seeded stratified k folds.</summary>
    public static EvaluationTask KFold(string name, string dir, int k, int seed) =>
        EvaluationTask.Create(name, StratifiedKFold(ClassFolders(dir), k, seed), dir);

    /// <summary>Two folder-per-class trees: one for training, one for testing (e.g. two soundfonts' renders).</summary>
    public static EvaluationTask TrainTestFolders(string name, string trainDir, string testDir) =>
        EvaluationTask.Create(name, [new EvaluationFold("test", ClassFolders(trainDir), ClassFolders(testDir))], testDir);

    /// <summary>
    /// Drum type on unseen machines (<c>scripts/eval-data/drum-machines.sh</c>): <c>DIR/train/&lt;class&gt;/&lt;machine&gt;/*</c>
    /// and <c>DIR/test/&lt;class&gt;/&lt;machine&gt;/*</c>. The split is by machine, so a machine folder found under both
    /// is an error (its sounds would be tested on after training on them).
    /// </summary>
    public static EvaluationTask DrumMachines(string name, string dir)
    {
        RequireFolder(dir, "drum machines folder");
        string trainDir = Path.Combine(dir, "train"), testDir = Path.Combine(dir, "test");
        RequireFolder(trainDir, "drum machines training folder (DIR/train/<class>/<machine>/)");
        RequireFolder(testDir, "drum machines test folder (DIR/test/<class>/<machine>/)");
        var train = ClassFolders(trainDir);
        var test = ClassFolders(testDir);
        var trainMachines = train.Select(c => MachineOf(trainDir, c)).ToHashSet(StringComparer.Ordinal);
        var testMachines = test.Select(c => MachineOf(testDir, c)).ToHashSet(StringComparer.Ordinal);
        var shared = trainMachines.Intersect(testMachines).Order(StringComparer.Ordinal).ToList();
        if (shared.Count > 0)
            throw new CoalaException($"machine(s) in both train and test: {string.Join(", ", shared)}; the split must be by machine", dir);
        return EvaluationTask.Create(name, [new EvaluationFold("unseen machines", train, test)], dir,
            [$"split by machine: {trainMachines.Count} training, {testMachines.Count} test machines"]);

        // <split>/<class>/<machine>/file: the folder below the class; a file directly in the class folder has none.
        static string MachineOf(string splitDir, LabelledClip clip)
        {
            var parts = Path.GetRelativePath(splitDir, clip.Path).Split(Path.DirectorySeparatorChar);
            return parts.Length >= 3 ? parts[1]
                : throw new CoalaException("file is not in a machine folder (expected <class>/<machine>/<file>)", clip.Path);
        }
    }

    [GeneratedRegex(@"^(?<digit>\d+)_(?<speaker>[^_]+)_(?<index>\d+)$")]
    private static partial Regex FsddName();

    /// <summary>
    /// Free Spoken Digit Dataset: a folder of <c>{digit}_{speaker}_{index}.wav</c>. The official split: index 0-4
    /// test, 5-49 train (for both the digit and the speaker task). Files not named that way are listed in the notes.
    /// </summary>
    public static EvaluationTask Fsdd(string name, string dir, FsddTarget target)
    {
        RequireFolder(dir, "FSDD recordings folder");
        var train = new List<LabelledClip>();
        var test = new List<LabelledClip>();
        int ignored = 0;
        foreach (var f in Directory.EnumerateFiles(dir).Where(IsAudio).Order(StringComparer.Ordinal))
        {
            var m = FsddName().Match(Path.GetFileNameWithoutExtension(f));
            if (!m.Success) { ignored++; continue; }
            string label = target == FsddTarget.Digit ? m.Groups["digit"].Value : m.Groups["speaker"].Value;
            int index = int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture);
            (index <= 4 ? test : train).Add(new LabelledClip(f, label));
        }
        if (train.Count + test.Count == 0)
            throw new CoalaException("no FSDD recordings ({digit}_{speaker}_{index}.wav) in the folder", dir);
        var notes = ignored > 0 ? new[] { $"{ignored} file(s) not named {{digit}}_{{speaker}}_{{index}} ignored" } : null;
        return EvaluationTask.Create(name, [new EvaluationFold("official", train, test)], dir, notes);
    }

    /// <summary>
    /// UrbanSound8K: <c>metadata/UrbanSound8K.csv</c> (columns slice_file_name, fold, class) and
    /// <c>audio/fold{N}/{slice_file_name}</c>; the 10 given folds, each one the test set once.
    /// </summary>
    public static EvaluationTask UrbanSound8K(string name, string dir)
    {
        RequireFolder(dir, "UrbanSound8K folder");
        string csv = Path.Combine(dir, "metadata", "UrbanSound8K.csv");
        RequireFile(csv, "UrbanSound8K metadata");
        RequireFolder(Path.Combine(dir, "audio"), "UrbanSound8K audio folder");
        var lines = File.ReadAllLines(csv).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count < 2) throw new CoalaException("the metadata has no rows", csv);
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        int Col(string n) => header.IndexOf(n) is int i and >= 0 ? i : throw new CoalaException($"the metadata lacks the column '{n}'", csv);
        int cFile = Col("slice_file_name"), cFold = Col("fold"), cClass = Col("class");
        var byFold = new SortedDictionary<int, List<LabelledClip>>();
        for (int r = 1; r < lines.Count; r++)
        {
            var cells = lines[r].Split(',');
            if (cells.Length < header.Count || !int.TryParse(cells[cFold], NumberStyles.Integer, CultureInfo.InvariantCulture, out int fold) || fold < 1)
                throw new CoalaException($"line {r + 1} is malformed: '{lines[r]}'", csv);
            var clip = new LabelledClip(Path.Combine(dir, "audio", $"fold{fold}", cells[cFile].Trim()), cells[cClass].Trim());
            (byFold.TryGetValue(fold, out var l) ? l : byFold[fold] = new List<LabelledClip>()).Add(clip);
        }
        if (byFold.Count < 2) throw new CoalaException($"the metadata gives {byFold.Count} fold(s); need at least 2", csv);
        var folds = byFold.Keys.Select(k => new EvaluationFold($"fold{k}",
            byFold.Where(kv => kv.Key != k).SelectMany(kv => kv.Value).ToList(), byFold[k])).ToList();
        return EvaluationTask.Create(name, folds, dir);
    }

    /// <summary>
    /// GTZAN: <c>genres/&lt;genre&gt;/*</c> (also <c>genres_original</c>, or the genre folders directly in DIR).
    /// With <c>train_filtered.txt</c> and <c>test_filtered.txt</c> in DIR (the fault-filtered split; lines like
    /// <c>blues/blues.00029.au</c>, matched by genre and file stem so .au lists find .wav files;
    /// <c>valid_filtered.txt</c>, if present, joins the training set) that split is used, else seeded stratified k-fold.
    /// </summary>
    public static EvaluationTask Gtzan(string name, string dir, int k, int seed)
    {
        RequireFolder(dir, "GTZAN folder");
        string genres = new[] { "genres", "genres_original" }.Select(g => Path.Combine(dir, g)).FirstOrDefault(Directory.Exists) ?? dir;
        var clips = ClassFolders(genres);
        string trainList = Path.Combine(dir, "train_filtered.txt"), testList = Path.Combine(dir, "test_filtered.txt");
        if (!File.Exists(trainList) && !File.Exists(testList))
            return EvaluationTask.Create(name, StratifiedKFold(clips, k, seed), dir, [$"no filtered split lists: stratified {k}-fold"]);
        RequireFile(trainList, "GTZAN training list (train_filtered.txt)");
        RequireFile(testList, "GTZAN test list (test_filtered.txt)");

        var byKey = clips.GroupBy(c => Key(c.Label, c.Path)).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var notes = new List<string>();
        List<LabelledClip> Read(string list)
        {
            var result = new List<LabelledClip>();
            int missing = 0;
            foreach (var raw in File.ReadAllLines(list))
            {
                string line = raw.Trim().Replace('\\', '/');
                if (line.Length == 0) continue;
                var parts = line.Split('/');
                if (parts.Length < 2) throw new CoalaException($"line '{line}' is not genre/file", list);
                if (byKey.TryGetValue(Key(parts[^2], parts[^1]), out var clip)) result.Add(clip);
                else missing++;
            }
            if (missing > 0) notes.Add($"{Path.GetFileName(list)}: {missing} listed file(s) not found");
            return result;
        }
        var train = Read(trainList);
        string validList = Path.Combine(dir, "valid_filtered.txt");
        if (File.Exists(validList)) train.AddRange(Read(validList));
        var test = Read(testList);
        notes.Insert(0, "fault-filtered split" + (File.Exists(validList) ? " (validation list added to training)" : ""));
        return EvaluationTask.Create(name, [new EvaluationFold("filtered", train, test)], dir, notes);

        static string Key(string genre, string file) => genre + "/" + Path.GetFileNameWithoutExtension(file);
    }

    /// <summary>
    /// NSynth instrument family: <c>nsynth-train/examples.json</c> and <c>nsynth-test/examples.json</c> (objects keyed
    /// by note_str with <c>instrument_family_str</c>), audio in <c>&lt;split&gt;/audio/&lt;note_str&gt;.wav</c>.
    /// Training uses a seeded balanced subset of <paramref name="perClass"/> notes per family; testing the full test set.
    /// </summary>
    public static EvaluationTask NSynth(string name, string dir, int perClass, int seed)
    {
        RequireFolder(dir, "NSynth folder");
        var train = ReadNSynth(Path.Combine(dir, "nsynth-train"));
        var test = ReadNSynth(Path.Combine(dir, "nsynth-test"));
        var subset = CapPerClass(train, perClass, seed);
        return EvaluationTask.Create(name, [new EvaluationFold("test", subset, test)], dir,
            [$"balanced training subset: at most {perClass} notes per family ({subset.Count} of {train.Count})"]);
    }

    private static List<LabelledClip> ReadNSynth(string splitDir)
    {
        RequireFolder(splitDir, "NSynth split folder");
        string json = Path.Combine(splitDir, "examples.json");
        RequireFile(json, "NSynth examples.json");
        var clips = new List<LabelledClip>();
        try
        {
            using var stream = File.OpenRead(json);
            using var doc = JsonDocument.Parse(stream);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CoalaException("expected a JSON object keyed by note_str", json);
            foreach (var note in doc.RootElement.EnumerateObject())
            {
                if (note.Value.ValueKind != JsonValueKind.Object || !note.Value.TryGetProperty("instrument_family_str", out var fam) || fam.ValueKind != JsonValueKind.String)
                    throw new CoalaException($"note '{note.Name}' has no instrument_family_str", json);
                clips.Add(new LabelledClip(Path.Combine(splitDir, "audio", note.Name + ".wav"), fam.GetString()!));
            }
        }
        catch (JsonException e) { throw new CoalaException($"not valid JSON: {e.Message}", json, e); }
        catch (IOException e) { throw new CoalaException($"cannot read: {e.Message}", json, e); }
        if (clips.Count == 0) throw new CoalaException("no notes listed", json);
        return clips.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
    }
}
