using Coala.ML.Features;
using Coala.ML.Audio;
using Coala.ML.Training.Data;
using Coala.ML.Training.Export;
using Coala.ML.Training.Model;
using Coala.ML.Training.Training;

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
            // Three kinds of sound, tags from the folder and file names.
            var audio = Directory.CreateDirectory(Path.Combine(root, "audio")).FullName;
            var rng = new Random(3);
            string[] kinds = ["bell_ring", "engine_hum", "rain_noise"];
            for (int k = 0; k < kinds.Length; k++)
            {
                var dir = Directory.CreateDirectory(Path.Combine(audio, kinds[k].Split('_')[0])).FullName;
                for (int i = 0; i < 8; i++)
                {
                    var x = new float[22050 * 3];
                    for (int n = 0; n < x.Length; n++)
                    {
                        double t = n / 22050.0;
                        x[n] = (float)(k switch
                        {
                            // Distinct enough within a kind that prepare's near-duplicate filter keeps them all.
                            0 => 0.4 * Math.Sin(2 * Math.PI * (700 + 150 * i) * t) * Math.Exp(-(2 + i) * t),
                            1 => (0.3 * Math.Sin(2 * Math.PI * (60 + 30 * i) * t) + 0.1 * Math.Sin(2 * Math.PI * (120 + 60 * i) * t))
                                 * (0.6 + 0.4 * Math.Sin(2 * Math.PI * (1 + i) * t)),
                            _ => 0.2 * (rng.NextDouble() * 2 - 1) * (Math.Sin(2 * Math.PI * (2 + 1.5 * i) * t) > 0 ? 1 : 0.05),
                        });
                    }
                    WavWriter.WritePcm16(Path.Combine(dir, $"{kinds[k]}_{i:D2}.wav"), x, 22050);
                }
            }

            var corpusDir = Path.Combine(root, "corpus");
            var settings = FrontendSettings.Default;
            AudioPatchSource.CreatePreparer(settings).Run(new PrepareOptions
            {
                Folder = audio, OutputDirectory = corpusDir, MinCount = 2, Seed = 0, Threads = 2,
            });
            using var corpus = PreparedCorpus.Open(corpusDir);
            Assert.Equal(24, corpus.Train.Count + corpus.Validation.Count);
            Assert.Contains("bell", corpus.Vocabulary);
            Assert.Contains("engine", corpus.Vocabulary);

            var runDir = Path.Combine(root, "run");
            var trainer = new CoalaTrainer(new TrainingOptions
            {
                Variant = CoalaVariant.AeC, Epochs = 2, BatchSize = 8, Seed = 1, Threads = 2, Device = "cpu", Plots = false,
            }, corpus.Train, corpus.Validation, runDir, corpus.Frontend, corpus.Scaler, vocabulary: corpus.Vocabulary);
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
