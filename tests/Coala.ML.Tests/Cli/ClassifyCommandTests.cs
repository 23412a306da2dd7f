using System.Globalization;
using Coala.ML.Cli.Commands;
using Coala.ML.Export;
using Coala.ML.Model;
using Coala.ML.Tags;
using Coala.ML.Tests.Tags;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Cli;

/// <summary>Zero-shot classification by tag words (<c>coala classify</c>, <see cref="CoalaTagIndex.Classify"/>) and <c>coala tags --vocabulary</c>.</summary>
[Collection("Console")] // the CLI writes to the process-wide console
public class ClassifyCommandTests
{
    private static float[] Embedding(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 1152).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Fact]
    public void ClassifyRanksLabelsByTheCosineOfTheirTagQuery()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder);
        var e = Embedding(4);
        var ranked = index.Classify(e, ["dog", "rain water", "bell+glass"]);
        Assert.Equal(3, ranked.Count);
        Assert.True(ranked[0].Cosine >= ranked[1].Cosine && ranked[1].Cosine >= ranked[2].Cosine);
        var aligned = index.AlignAudio(e);
        Assert.Equal(CoalaTagIndex.Cosine(index.Query("rain", "water"), aligned), ranked.Single(r => r.Label == "rain water").Cosine, 6);
        Assert.Equal(CoalaTagIndex.Cosine(index.Query("bell", "glass"), aligned), ranked.Single(r => r.Label == "bell+glass").Cosine, 6);

        var unknown = Assert.Throws<CoalaException>(() => index.Classify(e, ["dog", "drun"]));
        Assert.Contains("label 'drun'", unknown.Message);
        Assert.Contains("drum", unknown.Message); // the closest vocabulary word is suggested
        Assert.Throws<ArgumentException>(() => index.Classify(e, ["dog"]));
        Assert.Throws<ArgumentException>(() => index.Classify(e, ["dog", " dog "]));
    }

    [Fact]
    public void LabelSpecsTakeNamesAndRefuseDuplicates()
    {
        Assert.Equal([("kick", "kick"), ("hat", "hihat closed")], TagCommands.ParseLabels(" kick , hat=hihat closed "));
        Assert.Throws<CoalaException>(() => TagCommands.ParseLabels("kick"));
        Assert.Throws<CoalaException>(() => TagCommands.ParseLabels("a=dog,a=bell"));
        Assert.Throws<CoalaException>(() => TagCommands.ParseLabels("a=,b=bell"));
    }

    [Fact]
    public void ClassifyWritesOneRowPerFileAndScoresClassFolders()
    {
        var m = TagTestModel.Create();
        string dir = TestAssets.TempDir("classify");
        foreach (var (cls, n) in new[] { ("dog", 2), ("bell", 2), ("other", 1) })
        {
            Directory.CreateDirectory(Path.Combine(dir, cls));
            for (int i = 0; i < n; i++)
                TestAssets.WriteWav(Path.Combine(dir, cls, $"{i}.wav"), TestAssets.Signal(1.0, 22000, i, 200 + 300 * i + cls.Length * 50), 22000);
        }
        var (code, stdout, stderr) = CliRunner.Run("classify", dir, "--recursive", "--labels", "dog,bell=bell+glass", "--model", m.Encoder, "--truth-from-folders");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("path\tlabel\tcosine\tdog\tbell", lines[0]);
        Assert.Equal(5, lines.Length - 1);
        using var index = new CoalaTagIndex(m.Encoder);
        using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = m.Encoder });
        int correct = 0;
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split('\t');
            var ranked = index.Classify(embedder.EmbedFile(f[0]), ["dog", "bell glass"]);
            Assert.Equal(ranked[0].Label == "dog" ? "dog" : "bell", f[1]);
            Assert.Equal(ranked[0].Cosine, float.Parse(f[2], CultureInfo.InvariantCulture), 3);
            string truth = Path.GetFileName(Path.GetDirectoryName(f[0]))!;
            if (truth != "other" && truth == f[1]) correct++;
        }
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"accuracy {100.0 * correct / 4:F1}% of 4 files (2 labels: chance 50.0%, majority class 50.0%)"), stderr);
        Assert.Contains("not scored: other", stderr);
    }

    [Fact]
    public void AnUnknownLabelWordFailsBeforeAnyAudioIsRead()
    {
        var m = TagTestModel.Create();
        var (code, _, stderr) = CliRunner.Run("classify", "/nonexistent/folder", "--labels", "dog,trumpet", "--model", m.Encoder);
        Assert.Equal(1, code);
        Assert.StartsWith("coala classify: label 'trumpet': unknown tag 'trumpet'", stderr.Trim());
    }

    [Fact]
    public void VocabularyListsTheWordsWithCountsWhenStored()
    {
        var m = TagTestModel.Create();
        var (code, stdout, stderr) = CliRunner.Run("tags", "--vocabulary", "--model", m.Encoder);
        Assert.True(code == 0, stderr);
        Assert.Equal(TagTestModel.DefaultVocabulary, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        Assert.Contains("stores no training counts", stderr);
    }

    [Fact]
    public void TheSearchHelpExampleIsInTheShippedModelsVocabulary()
    {
        using var shipped = TagModel.Load(OnnxTagModelWriter.CompanionPath(ModelLocator.DefaultModelPath));
        foreach (var word in TagCommands.SearchExample.Split(' '))
            Assert.Contains(word, shipped.Vocabulary);
    }
}
