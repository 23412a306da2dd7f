namespace Coala.ML.Samples;

/// <summary>One labelled audio file: the input row of the classification samples.</summary>
public sealed class AudioExample
{
    /// <summary>Path of the audio file (WAV, MP3 or Ogg Vorbis).</summary>
    public string Path { get; set; } = "";

    /// <summary>Class name: the name of the file's class folder.</summary>
    public string Label { get; set; } = "";
}

/// <summary>
/// Reads the folder-per-class layouts of the samples: <c>ROOT/&lt;class&gt;/**/*.wav</c> (instrument families:
/// one such folder for training and one for testing) and GTZAN (<c>ROOT/&lt;genre&gt;/*.wav</c> plus optional
/// <c>train.txt</c> / <c>test.txt</c> split lists of <c>&lt;genre&gt;/&lt;file&gt;</c> lines).
/// </summary>
public static class AudioFolders
{
    private static readonly string[] Extensions = [".wav", ".mp3", ".ogg"];

    /// <summary>All audio files under each class folder of <paramref name="root"/>, sorted by class then path.</summary>
    /// <param name="root">Folder with one sub-folder per class.</param>
    /// <param name="maxPerClass">Keep at most this many files per class (the first in sorted order); null: all.</param>
    public static List<AudioExample> Load(string root, int? maxPerClass = null)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: dataset folder not found");
        var result = new List<AudioExample>();
        foreach (var dir in Directory.GetDirectories(root).Where(d => !System.IO.Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Where(IsAudio).Order(StringComparer.Ordinal);
            var label = System.IO.Path.GetFileName(dir);
            result.AddRange((maxPerClass is int m ? files.Take(m) : files).Select(f => new AudioExample { Path = f, Label = label }));
        }
        if (result.Count == 0) throw new InvalidDataException($"{root}: no audio files in class sub-folders (expected ROOT/<class>/*.wav)");
        return result;
    }

    /// <summary>
    /// A GTZAN-style folder split into train and test: by <c>train.txt</c> and <c>test.txt</c> in
    /// <paramref name="root"/> when both exist, otherwise every <paramref name="testEvery"/>-th file of each class
    /// (in sorted order) goes to test.
    /// </summary>
    public static (List<AudioExample> Train, List<AudioExample> Test) LoadSplit(string root, int testEvery = 4)
    {
        var all = Load(root);
        string trainList = System.IO.Path.Combine(root, "train.txt"), testList = System.IO.Path.Combine(root, "test.txt");
        if (File.Exists(trainList) && File.Exists(testList))
        {
            var byPath = all.ToDictionary(e => Normalize(System.IO.Path.GetRelativePath(root, e.Path)));
            List<AudioExample> Read(string list) => File.ReadLines(list)
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => byPath.TryGetValue(Normalize(l), out var e) ? e
                    : throw new InvalidDataException($"{list}: '{l}' is not an audio file under {root}"))
                .ToList();
            return (Read(trainList), Read(testList));
        }
        var train = new List<AudioExample>();
        var test = new List<AudioExample>();
        foreach (var group in all.GroupBy(e => e.Label))
        {
            int i = 0;
            foreach (var e in group) (++i % testEvery == 0 ? test : train).Add(e);
        }
        return (train, test);
    }

    /// <summary>Files per class, e.g. "piano 176, organ 170".</summary>
    public static string Describe(IEnumerable<AudioExample> examples) =>
        string.Join(", ", examples.GroupBy(e => e.Label).Select(g => $"{g.Key} {g.Count()}"));

    private static bool IsAudio(string path) =>
        Extensions.Contains(System.IO.Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static string Normalize(string relative) => relative.Replace('\\', '/');
}
