namespace Coala.ML.Export;

/// <summary>
/// The audio encoder's parameters by their PyTorch state-dict names, mirroring the reference model
/// (xavierfav/coala models_t1000.AudioEncoder): <c>audio_encoder.{i}.weight/bias</c> for the convolutions at
/// i = 0, 4, 8, 12, 16 and <c>audio_encoder.{i+1}.weight/bias/running_mean/running_var</c> for their BatchNorms.
/// </summary>
public sealed class EncoderWeights
{
    /// <summary>Conv + BatchNorm + ReLU blocks of the audio encoder.</summary>
    public const int Blocks = 5;
    internal const int Channels = 128;
    internal const int Kernel = 4;
    internal const float BatchNormEpsilon = 1e-5f;

    /// <summary>The parameters by reference name (<see cref="ConvName"/>, <see cref="BatchNormName"/> with .weight, .bias, .running_mean, .running_var).</summary>
    public Dictionary<string, WeightTensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>The reference name of block <paramref name="block"/>'s convolution: <c>audio_encoder.{4 block}</c>.</summary>
    public static string ConvName(int block) => $"audio_encoder.{block * 4}";
    /// <summary>The reference name of block <paramref name="block"/>'s BatchNorm: <c>audio_encoder.{4 block + 1}</c>.</summary>
    public static string BatchNormName(int block) => $"audio_encoder.{block * 4 + 1}";

    /// <summary>The parameter called <paramref name="name"/>; a missing one is a <see cref="CoalaException"/>.</summary>
    public WeightTensor this[string name] => Tensors.TryGetValue(name, out var t)
        ? t : throw new CoalaException($"encoder weights lack '{name}'");

    /// <summary>Checks every expected tensor is present with the expected shape and finite values.</summary>
    public void Validate()
    {
        for (int b = 0; b < Blocks; b++)
        {
            int inC = b == 0 ? 1 : Channels;
            Expect(ConvName(b) + ".weight", Channels, inC, Kernel, Kernel);
            Expect(ConvName(b) + ".bias", Channels);
            foreach (var p in new[] { "weight", "bias", "running_mean", "running_var" })
                Expect($"{BatchNormName(b)}.{p}", Channels);
        }
    }

    private void Expect(string name, params int[] shape)
    {
        var t = this[name];
        if (!t.Shape.SequenceEqual(shape))
            throw new CoalaException($"encoder weight '{name}' has shape [{string.Join(",", t.Shape)}], expected [{string.Join(",", shape)}]");
        if (t.Values.Length != t.Count)
            throw new CoalaException($"encoder weight '{name}' has {t.Values.Length} values for shape [{string.Join(",", t.Shape)}]");
        if (t.Values.Any(v => !float.IsFinite(v)))
            throw new CoalaException($"encoder weight '{name}' holds NaN or infinite values");
    }

    /// <summary>Random weights of the right shapes (tests, and the random-encoder baseline).</summary>
    public static EncoderWeights Random(int seed)
    {
        var rng = new Random(seed);
        var w = new EncoderWeights();
        float U(float a) => (float)(rng.NextDouble() * 2 - 1) * a;
        for (int b = 0; b < Blocks; b++)
        {
            int inC = b == 0 ? 1 : Channels;
            float bound = 1f / MathF.Sqrt(inC * Kernel * Kernel);
            w.Tensors[ConvName(b) + ".weight"] = new([Channels, inC, Kernel, Kernel], Enumerable.Range(0, Channels * inC * Kernel * Kernel).Select(_ => U(bound)).ToArray());
            w.Tensors[ConvName(b) + ".bias"] = new([Channels], Enumerable.Range(0, Channels).Select(_ => U(bound)).ToArray());
            w.Tensors[BatchNormName(b) + ".weight"] = new([Channels], Enumerable.Range(0, Channels).Select(_ => 1f + U(0.1f)).ToArray());
            w.Tensors[BatchNormName(b) + ".bias"] = new([Channels], Enumerable.Range(0, Channels).Select(_ => U(0.1f)).ToArray());
            w.Tensors[BatchNormName(b) + ".running_mean"] = new([Channels], Enumerable.Range(0, Channels).Select(_ => U(0.1f)).ToArray());
            w.Tensors[BatchNormName(b) + ".running_var"] = new([Channels], Enumerable.Range(0, Channels).Select(_ => 1f + U(0.5f)).ToArray());
        }
        return w;
    }
}
