namespace Coala.ML.Training.Tests;

/// <summary>
/// The README's C# training sample (section "Training your own model") is this test's code: the test runs it on a
/// small generated corpus through the public API alone, and checks that the README still holds the same lines.
/// </summary>
public class ReadmeSampleTests
{
    private const string Begin = "// README sample: begin", End = "// README sample: end";

    [Fact]
    public void TheReadmeTrainingSampleRunsAsWritten()
    {
        string root = Path.Combine(Path.GetTempPath(), "coala-readme-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string samples = TaggedClips.Write(Path.Combine(root, "my-samples")), work = Path.Combine(root, "coala-work");
            int epochs = 1;
            // README sample: begin
            // 1. Clips and their tags (folder and file names here; PrepareOptions.CsvPath for a tag CSV) become a corpus:
            //    one log-mel patch per clip, multi-hot tags, a 90/10 split and the scaler. A second run finds it up to date.
            PrepareResult prepared = PreparedCorpus.Prepare(new PrepareOptions
            {
                Folder = samples, OutputDirectory = Path.Combine(work, "corpus"), MinCount = 2,
            });
            Console.WriteLine($"{prepared.Manifest.Clips} clips, {prepared.Manifest.VocabularySize} tags; dropped: {prepared.DroppedSummary}");

            // 2. Train E-C. Each epoch ends with a checkpoint; Resume = true continues a stopped run where it left off.
            using var corpus = PreparedCorpus.Open(Path.Combine(work, "corpus"));
            var options = new TrainingOptions
            {
                Variant = CoalaVariant.EC, Epochs = epochs, BatchSize = Math.Min(128, corpus.TrainingCount),
                Optimizer = TrainingOptimizer.AdamW, LearningRate = 1e-3, Resume = true,
            };
            TrainingResult result = new CoalaTrainer(corpus, Path.Combine(work, "run"), options, Console.Out).Run();

            // 3. Export the encoder (frontend and scaler inside) and its tag model, then embed and tag with them.
            string model = Path.Combine(work, "my-coala.onnx");
            CheckpointExporter.Export(result.CheckpointPath, model, tags: true);
            using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model });
            using var tags = new CoalaTagIndex(model);
            float[] vector = embedder.EmbedFile(corpus.Validation.Paths[0]);
            Console.WriteLine(string.Join(", ", tags.Tags(vector, top: 3).Select(t => t.Tag)));
            // README sample: end

            Assert.Equal(24, prepared.Manifest.Clips);
            Assert.Equal(1, result.EpochsCompleted);
            Assert.Equal(1152, vector.Length);
            Assert.All(vector, v => Assert.True(float.IsFinite(v)));
            Assert.Equal(3, tags.Tags(vector, top: 3).Count);
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    [Fact]
    public void TheReadmeHoldsTheSampleThisTestRuns()
    {
        // The lines between the marker lines, trimmed, blank lines left out.
        static string Sample(string text)
        {
            var lines = text.Split('\n').Select(l => l.Trim()).ToList();
            int b = lines.IndexOf(Begin), e = lines.IndexOf(End);
            Assert.True(b >= 0 && e > b, "the sample markers are missing");
            return string.Join('\n', lines.Skip(b + 1).Take(e - b - 1).Where(l => l.Length > 0));
        }
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        string test = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Coala.ML.Training.Tests", "ReadmeSampleTests.cs"));
        Assert.Equal(Sample(test), Sample(readme));
        Assert.Contains("using Coala.ML.Training;", readme);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coala.ML.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository root (Coala.ML.sln) is not above the test's folder");
    }
}
