using Coala.ML.Export;
using Coala.ML.Model;
using Coala.ML.Tags;
using Coala.ML.Tests.TestSupport;
using Google.Protobuf;
using Onnx;

namespace Coala.ML.Tests.Tags;

public class CoalaTagIndexTests
{
    private static float[] RandomEmbedding(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, TagModelWeights.Embedding).Select(_ => (float)rng.NextDouble() * 2f).ToArray();
    }

    private static float[] Hot(int size, params int[] on)
    {
        var x = new float[size];
        foreach (var i in on) x[i] = 1;
        return x;
    }

    [Fact]
    public void OnnxTagModelMatchesAPlainForwardPass()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder);
        int v = m.Vocabulary.Length;
        foreach (var on in new[] { new[] { 0 }, new[] { 5 }, new[] { 1, 4, 7 } })
        {
            var expected = m.TagForward(Hot(v, on));
            var actual = index.Query(on.Select(i => m.Vocabulary[i]).ToArray());
            Assert.Equal(expected.Length, actual.Length);
            double scale = Math.Max(1, expected.Max(Math.Abs));
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * scale, $"{p.First} vs {p.Second}"));
        }
        var e = RandomEmbedding(4);
        var audioExpected = m.AudioForward(e);
        var audio = index.AlignAudio(e);
        double s = Math.Max(1, audioExpected.Max(Math.Abs));
        Assert.All(audioExpected.Zip(audio), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * s, $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void TagRankingEqualsBruteForceCosine()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder, m.TagModel);
        int v = m.Vocabulary.Length;
        for (int seed = 0; seed < 3; seed++)
        {
            var e = RandomEmbedding(seed);
            var a = m.AudioForward(e);
            var expected = Enumerable.Range(0, v).Select(j => (Tag: m.Vocabulary[j], Cos: TagTestModel.Cosine(a, m.TagForward(Hot(v, j)))))
                .OrderByDescending(t => t.Cos).ToList();
            var ranked = index.Tags(e, v);
            Assert.Equal(v, ranked.Count);
            for (int i = 0; i < v; i++)
            {
                Assert.Equal(expected[i].Cos, ranked[i].Cosine, 4);
                // Equal scores may swap; otherwise the order must be the brute-force one.
                if (i + 1 < v && expected[i].Cos - expected[i + 1].Cos > 1e-4) Assert.Equal(expected[i].Tag, ranked[i].Tag);
            }
            Assert.Equal(3, index.Tags(e, 3).Count);
        }
    }

    [Fact]
    public void AClipBuiltToMatchATagRanksItFirst()
    {
        var m = TagTestModel.Create(identityAudioHead: true);
        using var index = new CoalaTagIndex(m.Encoder);
        for (int j = 0; j < m.Vocabulary.Length; j++)
        {
            var clip = index.Query(m.Vocabulary[j]); // with an identity audio head this clip sits on the tag's vector
            var top = index.Tags(clip, 1)[0];
            Assert.Equal(m.Vocabulary[j], top.Tag);
            Assert.Equal(1.0, top.Cosine, 4);
        }
    }

    [Fact]
    public void QueriesIgnoreCaseAndSimplePlurals()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder);
        Assert.Equal(index.Query("dog"), index.Query("Dogs"));
        Assert.Equal(index.Query("glass"), index.Query("GLASSES"));
        Assert.Equal(index.Query("story"), index.Query("stories"));
        Assert.Equal(index.Query("dog", "bell"), index.Query("bell", "dog"));
        Assert.NotEqual(index.Query("dog"), index.Query("dog", "bell"));
    }

    [Fact]
    public void AHugeUnknownTagIsCutInTheError()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder);
        var e = Assert.Throws<CoalaException>(() => index.Query(new string('x', 100_000)));
        Assert.Contains("(100,000 characters)", e.Message);
        Assert.True(e.Message.Length < 500, $"message of {e.Message.Length} characters");
    }

    [Fact]
    public void AnUnknownTagListsTheClosestVocabularyWords()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder);
        var e = Assert.Throws<CoalaException>(() => index.Query("dog", "drun"));
        Assert.Contains("unknown tag 'drun'", e.Message);
        Assert.Contains("closest vocabulary words: drum", e.Message);
        Assert.Throws<CoalaException>(() => index.Query());
        Assert.Throws<CoalaException>(() => index.Query(" "));
    }

    [Fact]
    public void AMissingTagModelSaysHowToExportIt()
    {
        string dir = TestAssets.TempDir("tags-missing");
        string enc = Path.Combine(dir, "m.onnx");
        File.Copy(TestAssets.RandomModel(), enc);
        var e = Assert.Throws<CoalaException>(() => new CoalaTagIndex(enc));
        Assert.Equal(Path.Combine(dir, "m.tags.onnx"), e.FilePath);
        Assert.Contains("coala export --tags", e.Message);
    }

    [Fact]
    public void ATagModelOfAnotherEncoderIsRejected()
    {
        var m = TagTestModel.Create();
        string other = TestAssets.RandomModel(seed: 2);
        var e = Assert.Throws<CoalaException>(() => new CoalaTagIndex(other, m.TagModel));
        Assert.Equal(m.TagModel, e.FilePath);
        Assert.Contains("another audio encoder", e.Message);
        Assert.Contains("epoch 3", e.Message);
    }

    [Fact]
    public void EncoderAndTagModelAreNotInterchangeable()
    {
        var m = TagTestModel.Create();
        var e1 = Assert.Throws<CoalaException>(() => CoalaModel.Load(m.TagModel));
        Assert.Contains("tag model", e1.Message);
        var e2 = Assert.Throws<CoalaException>(() => new CoalaTagIndex(m.Encoder, m.Encoder));
        Assert.Contains("audio encoder, not a tag model", e2.Message);
    }

    [Fact]
    public void FingerprintOfWeightsEqualsFingerprintOfTheWrittenModel()
    {
        var w = EncoderWeights.Random(9);
        var bytes = OnnxEncoderWriter.Write(w, Coala.ML.Features.FrontendSettings.Default, Coala.ML.Tests.Export.TestModels.Scaler(96));
        Assert.Equal(EncoderFingerprint.Of(w), EncoderFingerprint.Of(bytes, "x.onnx"));
        Assert.NotEqual(EncoderFingerprint.Of(EncoderWeights.Random(10)), EncoderFingerprint.Of(w));
    }

    public static TheoryData<string, string, string> Damages => new()
    {
        { OnnxTagModelWriter.KeyVocabularySize, "11", "12 words but the tag encoder takes 11" },
        { OnnxTagModelWriter.KeyVocabularySize, "x", "not a positive integer" },
        { OnnxTagModelWriter.KeyFormatVersion, "2", "unsupported coala.tags.format_version '2'" },
        { OnnxTagModelWriter.KeyVocabulary, "[\"dog\"", "not a JSON array" },
        { OnnxTagModelWriter.KeyVocabulary, "[\"dog\",\"dog\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]", "appears twice" },
        { OnnxTagModelWriter.KeyEncoderFingerprint, "", "tag model metadata lacks 'coala.tags.encoder_sha256'" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void ADamagedTagModelIsRejectedWithItsReason(string key, string value, string message)
    {
        var w = TagTestModel.SharedWeights(1);
        var proto = OnnxTagModelWriter.Build(w, TagTestModel.DefaultVocabulary, "abc");
        var entry = proto.MetadataProps.Single(p => p.Key == key);
        if (value.Length == 0) proto.MetadataProps.Remove(entry);
        else entry.Value = value;
        string path = Path.Combine(TestAssets.TempDir("tags-bad"), "bad.tags.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        var e = Assert.Throws<CoalaException>(() => TagModel.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void NotATagModelAtAll()
    {
        string dir = TestAssets.TempDir("tags-junk");
        string junk = Path.Combine(dir, "junk.tags.onnx");
        File.WriteAllBytes(junk, [1, 2, 3, 4]);
        Assert.Equal(junk, Assert.Throws<CoalaException>(() => TagModel.Load(junk)).FilePath);
        File.WriteAllBytes(junk, []);
        Assert.Contains("empty", Assert.Throws<CoalaException>(() => TagModel.Load(junk)).Message);
        Assert.Contains("folder", Assert.Throws<CoalaException>(() => TagModel.Load(dir)).Message);
    }

    [Fact]
    public void WrongEmbeddingSizesAreClearErrors()
    {
        var m = TagTestModel.Create();
        using var index = new CoalaTagIndex(m.Encoder);
        Assert.Contains("CoalaPooling.Mean", Assert.Throws<CoalaException>(() => index.Tags(new float[2 * 1152])).Message);
        var nan = new float[1152];
        nan[3] = float.NaN;
        Assert.Throws<CoalaException>(() => index.AlignAudio(nan));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Tags(new float[1152], 0));   // a caller bug
    }

    [Fact]
    public void CompanionPathSitsBesideTheEncoder()
    {
        Assert.Equal(Path.Combine("a", "coala-aec.tags.onnx"), OnnxTagModelWriter.CompanionPath(Path.Combine("a", "coala-aec.onnx")));
        Assert.Equal("m.tags.onnx", OnnxTagModelWriter.CompanionPath("m.ONNX"));
    }
}
