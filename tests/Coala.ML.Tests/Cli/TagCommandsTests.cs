using Coala.ML.Tests.Tags;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Cli;

[Collection("Console")] // the CLI writes to the process-wide console
public class TagCommandsTests
{
    private static (int Code, string Stdout, string Stderr) RunCli(params string[] args) => CliRunner.Run(args);

    private static string Audio(out string[] files)
    {
        string dir = TestAssets.TempDir("tag-audio");
        files = new string[3];
        for (int i = 0; i < 3; i++)
            files[i] = TestAssets.WriteWav(Path.Combine(dir, $"clip{i}.wav"), TestAssets.Signal(1.5, 22000, i, 150 + 200 * i), 22000);
        return dir;
    }

    [Fact]
    public void TagsPrintsTheRankingOfTheLibrary()
    {
        var m = TagTestModel.Create();
        Audio(out var files);
        var (code, stdout, stderr) = RunCli("tags", files[0], "--model", m.Encoder, "--top", "4");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        using var index = new CoalaTagIndex(m.Encoder);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = m.Encoder });
        var expected = index.Tags(embedder.EmbedFile(files[0]), 4);
        for (int i = 0; i < 4; i++)
        {
            var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected[i].Tag, parts[0]);
            Assert.Equal(expected[i].Cosine, float.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 3);
        }
    }

    [Fact]
    public void SearchRanksEveryClipByCosineToTheQuery()
    {
        var m = TagTestModel.Create();
        string dir = Audio(out var files);
        var (code, stdout, stderr) = RunCli("search", "Dogs bell", dir, "--model", m.Encoder, "--top", "2");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# query: dog bell (3 clips)", lines[0].Trim());
        Assert.Equal(3, lines.Length);

        using var index = new CoalaTagIndex(m.Encoder);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = m.Encoder });
        var q = index.Query("dog", "bell");
        var best = files.OrderByDescending(f => CoalaTagIndex.Cosine(q, index.AlignAudio(embedder.EmbedFile(f)))).Take(2).ToArray();
        Assert.EndsWith(best[0], lines[1].Trim());
        Assert.EndsWith(best[1], lines[2].Trim());
    }

    [Fact]
    public void AnUnknownTagFailsBeforeAnyAudioIsRead()
    {
        var m = TagTestModel.Create();
        string dir = Audio(out _);
        var (code, _, stderr) = RunCli("search", "dog drun", dir, "--model", m.Encoder);
        Assert.Equal(1, code);
        Assert.Contains("unknown tag 'drun'", stderr);
        Assert.Contains("drum", stderr);
    }

    [Fact]
    public void AMissingTagModelIsAClearError()
    {
        string dir = Audio(out var files);
        string enc = Path.Combine(dir, "enc.onnx");
        File.Copy(TestAssets.RandomModel(), enc);
        var (code, _, stderr) = RunCli("tags", files[0], "--model", enc);
        Assert.Equal(1, code);
        Assert.Contains("enc.tags.onnx", stderr);
        Assert.Contains("coala export --tags", stderr);
        (code, _, stderr) = RunCli("search", "dog", dir, "--model", enc);
        Assert.Equal(1, code);
        Assert.Contains("enc.tags.onnx", stderr);
    }

    [Fact]
    public void EvalNeedsACorpus()
    {
        var m = TagTestModel.Create();
        var (code, _, stderr) = RunCli("tags", "--eval", "--model", m.Encoder);
        Assert.Equal(1, code);
        Assert.Contains("--data", stderr);
        (code, _, stderr) = RunCli("tags", "--eval", "--model", m.Encoder, "--data", Path.Combine(TestAssets.TempDir("nocorpus"), "x"));
        Assert.Equal(1, code);
        Assert.Contains("prepared corpus directory not found", stderr);
    }

    [Fact]
    public void SearchAndClassifyListEmbedAndReportFilesTheSameWay()
    {
        var m = TagTestModel.Create();
        string dir = Audio(out var files);
        string broken = TestAssets.WriteBytes(Path.Combine(dir, "broken.wav"), [1, 2, 3]);
        string missing = Path.Combine(dir, "missing.wav");
        string empty = Directory.CreateDirectory(Path.Combine(TestAssets.TempDir("tag-empty"), "none")).FullName;

        var search = RunCli("search", "dog", dir, missing, "--model", m.Encoder);
        var classify = RunCli("classify", dir, missing, "--labels", "dog,bell", "--model", m.Encoder);

        // Both go on past a file that cannot be read and an input that is not there (exit 2: some results) ...
        Assert.True(search.Code == 2, search.Stderr);
        Assert.True(classify.Code == 2, classify.Stderr);
        Assert.Contains("(3 clips)", search.Stdout);
        Assert.Equal(1 + 3, classify.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // ... and list the same failures, in the same words, under their own verb.
        string[] Failures(string stderr, string verb) => stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith($"coala {verb}: ", StringComparison.Ordinal))
            .Select(l => l[$"coala {verb}: ".Length..]).ToArray();
        var listed = Failures(search.Stderr, "search");
        Assert.Equal(2, listed.Length);
        Assert.Contains(listed, l => l.Contains(missing, StringComparison.Ordinal));
        Assert.Contains(listed, l => l.Contains(broken, StringComparison.Ordinal));
        Assert.Equal(listed, Failures(classify.Stderr, "classify"));

        // No audio at all: the same error, exit 1.
        var none = RunCli("search", "dog", empty, "--model", m.Encoder);
        Assert.Equal(1, none.Code);
        Assert.EndsWith("coala search: no audio files to search", none.Stderr.TrimEnd());
        none = RunCli("classify", empty, "--labels", "dog,bell", "--model", m.Encoder);
        Assert.Equal(1, none.Code);
        Assert.EndsWith("coala classify: no audio files to classify", none.Stderr.TrimEnd());
    }

    [Fact]
    public void QueryWordsAreNormalisedAsTrainingTags()
    {
        Assert.Equal(["dog", "bell"], Coala.ML.Cli.Commands.TagCommands.QueryWords("Dogs, BELLS dog"));
        Assert.Equal(["the"], Coala.ML.Cli.Commands.TagCommands.QueryWords("the")); // a stop-word stays, to be reported unknown
    }
}
