using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Coala.ML.Model;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Model;

/// <summary>
/// What users get from the shipped default model, pinned: the full 1152-value embeddings of three FSDD recordings
/// and of a generated 7 s signal (several patches), stored in <c>Fixtures/default-model-regression.json</c> with the
/// model's SHA-256. Any change to the frontend, the encoder graph or the model file shows up here as a failing test.
/// After an intended change (a new default model), regenerate the fixture with
/// <c>COALA_UPDATE_REGRESSION=1 dotnet test tests/Coala.ML.Tests -c Release --filter ShippedModelRegression</c>.
/// </summary>
public class ShippedModelRegressionTests
{
    private const double Tolerance = 1e-4; // ONNX Runtime kernels differ slightly between CPUs (AVX2, AVX-512)
    private static readonly string[] FsddClips = ["0_george_0.wav", "5_jackson_12.wav", "9_theo_40.wav"];

    private sealed record Fixture(string ModelSha256, Dictionary<string, float[]> Embeddings);

    private static string FixturePath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", "default-model-regression.json");

    private static Dictionary<string, string> Clips()
    {
        var clips = FsddClips.ToDictionary(c => c, c => Path.Combine(TestAssets.SharedDir(), "data", "fsdd", "recordings", c));
        string dir = TestAssets.TempDir("regression");
        clips["generated-7s.wav"] = TestAssets.WriteWav(Path.Combine(dir, "generated-7s.wav"), TestAssets.Signal(7.0, 22000, seed: 17, f0: 180), 22000);
        return clips;
    }

    [Fact]
    public void TheDefaultModelStillGivesThePinnedEmbeddings()
    {
        string model = ModelLocator.DefaultModelPath;
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model)));
        using var embedder = new CoalaEmbedder();
        var actual = Clips().ToDictionary(kv => kv.Key, kv => embedder.EmbedFile(kv.Value));

        if (Environment.GetEnvironmentVariable("COALA_UPDATE_REGRESSION") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FixturePath())!);
            File.WriteAllText(FixturePath(), JsonSerializer.Serialize(new Fixture(sha, actual), new JsonSerializerOptions { WriteIndented = false }));
            return;
        }

        var expected = JsonSerializer.Deserialize<Fixture>(File.ReadAllText(FixturePath()))!;
        Assert.True(expected.ModelSha256 == sha,
            $"the default model {model} is not the one the fixture was made with ({sha} vs {expected.ModelSha256}): if the change is intended, " +
            "regenerate the fixture (COALA_UPDATE_REGRESSION=1, see this class's remarks) and say so in the model card");
        Assert.Equal(expected.Embeddings.Keys.Order(), actual.Keys.Order());
        foreach (var (clip, want) in expected.Embeddings)
        {
            var got = actual[clip];
            Assert.Equal(want.Length, got.Length);
            double max = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(max <= Tolerance, $"{clip}: the embedding moved by up to {max:G3} (tolerance {Tolerance:G1}): the frontend or encoder changed what users get");
        }
    }
}
