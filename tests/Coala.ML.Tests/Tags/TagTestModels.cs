using Coala.ML.Export;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Tags;

/// <summary>A random encoder with a random tag model beside it, and a plain C# forward pass of the tag model.</summary>
internal sealed record TagTestModel(string Encoder, string TagModel, TagModelWeights Weights, string[] Vocabulary)
{
    public static readonly string[] DefaultVocabulary = ["dog", "door", "drum", "bell", "bird", "car", "engine", "water", "rain", "laugh", "story", "glass"];

    /// <param name="identityAudioHead">make the audio head the identity, so an embedding equal to a tag's vector matches it exactly.</param>
    private static readonly Dictionary<string, TagTestModel> Cache = new();
    private static readonly Dictionary<int, TagModelWeights> WeightCache = new();

    /// <summary>Random tag weights over <see cref="DefaultVocabulary"/>, built once per seed (read-only: do not alter).</summary>
    public static TagModelWeights SharedWeights(int seed)
    {
        lock (WeightCache)
        {
            if (!WeightCache.TryGetValue(seed, out var w)) WeightCache[seed] = w = TagModelWeights.Random(DefaultVocabulary.Length, seed);
            return w;
        }
    }

    /// <summary>Written once per arguments and shared by the tests (they only read the files).</summary>
    public static TagTestModel Create(int seed = 3, bool identityAudioHead = false, string[]? vocabulary = null, int encoderSeed = 1)
    {
        vocabulary ??= DefaultVocabulary;
        string key = $"{seed}/{identityAudioHead}/{string.Join(",", vocabulary)}/{encoderSeed}";
        lock (Cache)
        {
            if (!Cache.TryGetValue(key, out var m)) Cache[key] = m = Build(seed, identityAudioHead, vocabulary, encoderSeed);
            return m;
        }
    }

    private static TagTestModel Build(int seed, bool identityAudioHead, string[] vocabulary, int encoderSeed)
    {
        string encoder = TestAssets.RandomModel(encoderSeed);
        string dir = TestAssets.TempDir("tags");
        string copy = Path.Combine(dir, "enc.onnx");
        File.Copy(encoder, copy);
        var w = TagModelWeights.Random(vocabulary.Length, seed); // own copy: the identity head below alters it
        if (identityAudioHead)
        {
            int d = TagModelWeights.Embedding;
            var eye = new float[d * d];
            for (int i = 0; i < d; i++) eye[i * d + i] = 1;
            w.Tensors[TagModelWeights.AudioHead] = new([d, d], eye);
        }
        string fingerprint = EncoderFingerprint.Of(File.ReadAllBytes(copy), copy);
        string tags = OnnxTagModelWriter.CompanionPath(copy);
        OnnxTagModelWriter.Write(tags, w, vocabulary, fingerprint, new Dictionary<string, string> { ["coala.training.epoch"] = "3" });
        return new TagTestModel(copy, tags, w, vocabulary);
    }

    /// <summary>Reference forward pass (float64): multi-hot → Linear, BatchNorm (eval), ReLU x3 → tag head.</summary>
    public double[] TagForward(float[] multiHot)
    {
        double[] x = multiHot.Select(v => (double)v).ToArray();
        for (int l = 0; l < 3; l++)
        {
            string lin = TagModelWeights.LinearName(l), bn = TagModelWeights.BatchNormName(l);
            var y = Linear(Weights[lin + ".weight"], x);
            var b = Weights[lin + ".bias"].Values;
            var g = Weights[bn + ".weight"].Values; var beta = Weights[bn + ".bias"].Values;
            var m = Weights[bn + ".running_mean"].Values; var v = Weights[bn + ".running_var"].Values;
            for (int i = 0; i < y.Length; i++)
                y[i] = Math.Max(0, (y[i] + b[i] - m[i]) / Math.Sqrt(v[i] + 1e-5) * g[i] + beta[i]);
            x = y;
        }
        return Linear(Weights[TagModelWeights.TagHead], x);
    }

    /// <summary>Reference audio head (float64).</summary>
    public double[] AudioForward(float[] embedding) => Linear(Weights[TagModelWeights.AudioHead], embedding.Select(v => (double)v).ToArray());

    private static double[] Linear(WeightTensor w, double[] x)
    {
        int o = w.Shape[0], n = w.Shape[1];
        Assert.Equal(n, x.Length);
        var y = new double[o];
        for (int i = 0; i < o; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += w.Values[i * n + j] * x[j];
            y[i] = s;
        }
        return y;
    }

    public static double Cosine(double[] a, double[] b)
    {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return d / Math.Sqrt(na * nb);
    }
}
