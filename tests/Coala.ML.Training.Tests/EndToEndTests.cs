using Coala.ML.Features;
using Coala.ML.Audio;
using Coala.ML.Training.Data;
using Coala.ML.Training.Networks;
using Coala.ML.Training;

namespace Coala.ML.Training.Tests;

/// <summary>Audio folder → prepare → train AE-C → export → CoalaEmbedder: the whole path a user takes.</summary>
public class EndToEndTests
{
    [Fact]
    public void AFolderOfTaggedAudioBecomesAModelThatEmbeds()
    {
        var root = Path.Combine(Path.GetTempPath(), "coala-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var audio = TaggedClips.Write(Path.Combine(root, "audio"));

            var corpusDir = Path.Combine(root, "corpus");
            PreparedCorpus.Prepare(new PrepareOptions { Folder = audio, OutputDirectory = corpusDir, MinCount = 2, Seed = 0, Threads = 2 });
            using var corpus = PreparedCorpus.Open(corpusDir);
            Assert.Equal(24, corpus.Train.Count + corpus.Validation.Count);
            Assert.Contains("bell", corpus.Vocabulary);
            Assert.Contains("engine", corpus.Vocabulary);

            var runDir = Path.Combine(root, "run");
            var trainer = new CoalaTrainer(corpus, runDir, new TrainingOptions
            {
                Variant = CoalaVariant.AeC, Epochs = 2, BatchSize = 8, Seed = 1, Threads = 2, Device = "cpu", Plots = false,
            });
            var result = trainer.Run();
            Assert.Equal(2, result.EpochsCompleted);
            var checkpoint = TrainingCheckpoint.Load(trainer.CheckpointPath);
            Assert.Equal(corpus.Vocabulary, checkpoint.Config.Vocabulary);

            var model = Path.Combine(root, "coala.onnx");
            CheckpointExporter.Export(trainer.CheckpointPath, model);
            using var embedder = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model });
            var bell = embedder.EmbedFile(Path.Combine(audio, "bell", "bell_ring_00.wav"));
            var rain = embedder.EmbedFile(Path.Combine(audio, "rain", "rain_noise_00.wav"));
            Assert.Equal(1152, bell.Length);
            Assert.All(bell.Concat(rain), v => Assert.True(float.IsFinite(v)));
            Assert.True(bell.Zip(rain).Max(p => Math.Abs(p.First - p.Second)) > 1e-4f);
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
