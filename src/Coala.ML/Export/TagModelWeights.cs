namespace Coala.ML.Export;

/// <summary>
/// The parameters of the tag side of a contrastive COALA model by their PyTorch state-dict names, as the
/// reference (xavierfav/coala models_t1000): the tag encoder MLP <c>tag_encoder.{0,4,8}.weight/bias</c> (Linear
/// V→512→512→1152) with <c>tag_encoder.{1,5,9}.weight/bias/running_mean/running_var</c> (BatchNorm1d), the tag head
/// <c>fc_tag.0.weight</c> and the audio head <c>fc_audio.0.weight</c> (both 1152x1152, bias-free). The two heads'
/// outputs are the vectors the NT-Xent contrastive loss compares: the shared audio-tag space.
/// </summary>
public sealed class TagModelWeights
{
    internal const int Hidden = 512;
    internal const int Embedding = 1152;
    internal const float BatchNormEpsilon = 1e-5f;
    /// <summary>The tag head's weight, [1152, 1152], bias-free.</summary>
    public const string TagHead = "fc_tag.0.weight";
    /// <summary>The audio head's weight, [1152, 1152], bias-free.</summary>
    public const string AudioHead = "fc_audio.0.weight";

    /// <summary>Index in <c>tag_encoder</c> of the three Linear layers (each followed by its BatchNorm1d at +1).</summary>
    public static readonly int[] LinearIndices = [0, 4, 8];

    /// <summary>Empty weights of a tag encoder over <paramref name="vocabularySize"/> tags; fill <see cref="Tensors"/>.</summary>
    public TagModelWeights(int vocabularySize)
    {
        if (vocabularySize < 1) throw new CoalaException($"vocabulary size {vocabularySize} must be at least 1");
        VocabularySize = vocabularySize;
    }

    /// <summary>Tags the encoder takes (the multi-hot vector's length).</summary>
    public int VocabularySize { get; }

    /// <summary>The parameters by reference name (<see cref="LinearName"/>, <see cref="BatchNormName"/>, <see cref="TagHead"/>, <see cref="AudioHead"/>).</summary>
    public Dictionary<string, WeightTensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>The reference name of the tag encoder's linear layer <paramref name="layer"/> (0..2).</summary>
    public static string LinearName(int layer) => $"tag_encoder.{LinearIndices[layer]}";
    /// <summary>The reference name of the BatchNorm after linear layer <paramref name="layer"/> (0..2).</summary>
    public static string BatchNormName(int layer) => $"tag_encoder.{LinearIndices[layer] + 1}";

    /// <summary>(inputs, outputs) of Linear layer 0..2.</summary>
    public (int In, int Out) LayerShape(int layer) => layer switch
    {
        0 => (VocabularySize, Hidden),
        1 => (Hidden, Hidden),
        2 => (Hidden, Embedding),
        _ => throw new ArgumentOutOfRangeException(nameof(layer)),
    };

    /// <summary>The parameter called <paramref name="name"/>; a missing one is a <see cref="CoalaException"/>.</summary>
    public WeightTensor this[string name] => Tensors.TryGetValue(name, out var t)
        ? t : throw new CoalaException($"tag model weights lack '{name}'");

    /// <summary>Every expected tensor is present with its shape and finite values; running variances are positive.</summary>
    public void Validate()
    {
        for (int l = 0; l < LinearIndices.Length; l++)
        {
            var (i, o) = LayerShape(l);
            Expect(LinearName(l) + ".weight", o, i);
            Expect(LinearName(l) + ".bias", o);
            foreach (var p in new[] { "weight", "bias", "running_mean", "running_var" })
                Expect($"{BatchNormName(l)}.{p}", o);
            if (this[BatchNormName(l) + ".running_var"].Values.Any(v => v < 0))
                throw new CoalaException($"tag model weight '{BatchNormName(l)}.running_var' has negative values");
        }
        Expect(TagHead, Embedding, Embedding);
        Expect(AudioHead, Embedding, Embedding);
    }

    private void Expect(string name, params int[] shape)
    {
        var t = this[name];
        if (!t.Shape.SequenceEqual(shape))
            throw new CoalaException($"tag model weight '{name}' has shape [{string.Join(",", t.Shape)}], expected [{string.Join(",", shape)}]");
        if (t.Values.Length != t.Count)
            throw new CoalaException($"tag model weight '{name}' has {t.Values.Length} values for shape [{string.Join(",", t.Shape)}]");
        if (t.Values.Any(v => !float.IsFinite(v)))
            throw new CoalaException($"tag model weight '{name}' holds NaN or infinite values");
    }

    /// <summary>Random weights of the right shapes (tests).</summary>
    public static TagModelWeights Random(int vocabularySize, int seed)
    {
        var rng = new Random(seed);
        var w = new TagModelWeights(vocabularySize);
        float U(float a) => (float)(rng.NextDouble() * 2 - 1) * a;
        float[] Fill(int n, Func<float> f) => Enumerable.Range(0, n).Select(_ => f()).ToArray();
        for (int l = 0; l < LinearIndices.Length; l++)
        {
            var (i, o) = w.LayerShape(l);
            float bound = 1f / MathF.Sqrt(i);
            w.Tensors[LinearName(l) + ".weight"] = new([o, i], Fill(o * i, () => U(bound)));
            w.Tensors[LinearName(l) + ".bias"] = new([o], Fill(o, () => U(bound)));
            w.Tensors[BatchNormName(l) + ".weight"] = new([o], Fill(o, () => 1f + U(0.1f)));
            w.Tensors[BatchNormName(l) + ".bias"] = new([o], Fill(o, () => U(0.1f)));
            w.Tensors[BatchNormName(l) + ".running_mean"] = new([o], Fill(o, () => U(0.1f)));
            w.Tensors[BatchNormName(l) + ".running_var"] = new([o], Fill(o, () => 0.05f + MathF.Abs(U(0.2f))));
        }
        float hb = 1f / MathF.Sqrt(Embedding);
        w.Tensors[TagHead] = new([Embedding, Embedding], Fill(Embedding * Embedding, () => U(hb)));
        w.Tensors[AudioHead] = new([Embedding, Embedding], Fill(Embedding * Embedding, () => U(hb)));
        return w;
    }
}
