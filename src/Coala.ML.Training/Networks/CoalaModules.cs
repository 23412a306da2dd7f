using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Coala.ML.Training.Networks;

/// <summary>
/// Shapes shared by the COALA networks (xavierfav/coala models_t1000.py): 96x96 log-mel patches, five
/// stride-2 4x4 convolutions of 128 channels down to 128x3x3 = 1152, the embedding size.
/// </summary>
internal static class CoalaShapes
{
    public const int PatchSize = 96;
    public const int Channels = 128;
    public const int Blocks = 5;
    public const int Embedding = 1152; // 128 * 3 * 3
    public const int DefaultVocabulary = 1000;
    public const double DefaultDropout = 0.25;

    /// <summary>
    /// Conv2d(4, stride 2, pad 1) / BatchNorm2d / ReLU / Dropout, five times, then Flatten: the reference
    /// <c>audio_encoder</c> (also the CNN's <c>encoder</c>). Indices 0, 4, .., 16 are convolutions, 1, 5, .., 17 BatchNorms.
    /// </summary>
    public static Sequential ConvolutionalEncoder(double dropout)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        for (int b = 0; b < Blocks; b++)
        {
            layers.Add(Conv2d(b == 0 ? 1 : Channels, Channels, kernel_size: 4, stride: 2, padding: 1));
            layers.Add(BatchNorm2d(Channels));
            layers.Add(ReLU());
            layers.Add(Dropout(dropout));
        }
        layers.Add(Flatten());
        return Sequential(layers.ToArray());
    }

    /// <summary>Copies <paramref name="values"/> into <paramref name="bias"/> (no gradient recorded).</summary>
    internal static void SetBias(Parameter bias, float[] values)
    {
        if (bias.shape.Length != 1 || bias.shape[0] != values.Length)
            throw new ArgumentException($"{values.Length} values for a bias of shape [{string.Join(",", bias.shape)}]", nameof(values));
        using var noGrad = no_grad();
        using var src = tensor(values);
        bias.copy_(src.to(bias.device));
    }
}

/// <summary>The reference <c>AudioEncoder</c>: <c>audio_encoder</c> (conv stack) and the head <c>fc_audio</c>.</summary>
internal sealed class AudioEncoder : Module<Tensor, (Tensor Z, Tensor ZD)>
{
    private readonly Sequential audio_encoder;
    private readonly Sequential fc_audio;

    public AudioEncoder(double dropout = CoalaShapes.DefaultDropout) : base(nameof(AudioEncoder))
    {
        audio_encoder = CoalaShapes.ConvolutionalEncoder(dropout);
        fc_audio = Sequential(Linear(CoalaShapes.Embedding, CoalaShapes.Embedding, hasBias: false), Dropout(dropout));
        RegisterComponents();
    }

    /// <summary>The convolutional stack alone (what the exported encoder computes).</summary>
    public Sequential Encoder => audio_encoder;

    /// <param name="x">[N, 1, 96, 96] scaled log-mel patches.</param>
    /// <returns>z [N, 1152] the embedding, z_d [N, 1152] the contrastive head's output.</returns>
    public override (Tensor Z, Tensor ZD) forward(Tensor x)
    {
        var z = audio_encoder.forward(x);
        return (z, fc_audio.forward(z));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { audio_encoder.Dispose(); fc_audio.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>Reshapes [N, 1152] to [N, 128, 3, 3] (the reference <c>UnFlatten</c>; no parameters).</summary>
internal sealed class UnFlatten : Module<Tensor, Tensor>
{
    public UnFlatten() : base(nameof(UnFlatten)) { }
    public override Tensor forward(Tensor input) => input.view(input.size(0), CoalaShapes.Channels, 3, 3);
}

/// <summary>The reference <c>AudioDecoder</c>: <c>audio_decoder</c>, transposed convolutions back to 1x96x96, sigmoid output.</summary>
internal sealed class AudioDecoder : Module<Tensor, Tensor>
{
    private readonly Sequential audio_decoder;

    public AudioDecoder(double dropout = CoalaShapes.DefaultDropout) : base(nameof(AudioDecoder))
    {
        int c = CoalaShapes.Channels;
        var layers = new List<Module<Tensor, Tensor>> { new UnFlatten(), Dropout(dropout) };
        for (int b = 0; b < 4; b++)
        {
            layers.Add(ConvTranspose2d(c, c, kernel_size: 4, stride: 2, padding: 1));
            layers.Add(BatchNorm2d(c));
            layers.Add(ReLU());
            if (b < 3) layers.Add(Dropout(dropout));
        }
        layers.Add(ConvTranspose2d(c, 1, kernel_size: 4, stride: 2, padding: 1));
        layers.Add(BatchNorm2d(1));
        layers.Add(Sigmoid());
        audio_decoder = Sequential(layers.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => audio_decoder.forward(z);

    protected override void Dispose(bool disposing)
    {
        if (disposing) audio_decoder.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The reference <c>TagEncoder</c>: <c>tag_encoder</c> V -> 512 -> 512 -> 1152 and the head <c>fc_tag</c>.</summary>
internal sealed class TagEncoder : Module<Tensor, (Tensor Z, Tensor ZD)>
{
    private readonly Sequential tag_encoder;
    private readonly Sequential fc_tag;

    public TagEncoder(int vocabulary = CoalaShapes.DefaultVocabulary, double dropout = CoalaShapes.DefaultDropout) : base(nameof(TagEncoder))
    {
        tag_encoder = Sequential(
            Linear(vocabulary, 512), BatchNorm1d(512), ReLU(), Dropout(dropout),
            Linear(512, 512), BatchNorm1d(512), ReLU(), Dropout(dropout),
            Linear(512, CoalaShapes.Embedding), BatchNorm1d(CoalaShapes.Embedding), ReLU(), Dropout(dropout));
        fc_tag = Sequential(Linear(CoalaShapes.Embedding, CoalaShapes.Embedding, hasBias: false), Dropout(dropout));
        RegisterComponents();
    }

    public override (Tensor Z, Tensor ZD) forward(Tensor tags)
    {
        var z = tag_encoder.forward(tags);
        return (z, fc_tag.forward(z));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { tag_encoder.Dispose(); fc_tag.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>The reference <c>TagDecoder</c>: <c>tag_decoder</c> 1152 -> 512 -> 512 -> V, sigmoid output.</summary>
internal sealed class TagDecoder : Module<Tensor, Tensor>
{
    private readonly Sequential tag_decoder;

    public TagDecoder(int vocabulary = CoalaShapes.DefaultVocabulary, double dropout = CoalaShapes.DefaultDropout) : base(nameof(TagDecoder))
    {
        tag_decoder = Sequential(
            Linear(CoalaShapes.Embedding, 512), BatchNorm1d(512), ReLU(), Dropout(dropout),
            Linear(512, 512), BatchNorm1d(512), ReLU(),
            Linear(512, vocabulary), BatchNorm1d(vocabulary), Sigmoid());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => tag_decoder.forward(z);

    /// <summary>Sets the bias just before the sigmoid to <paramref name="logits"/> (prior initialisation; see CoalaNetworks.InitialiseTagPriors).</summary>
    public void SetOutputBias(float[] logits) => CoalaShapes.SetBias(((BatchNorm1d)tag_decoder[8]).bias!, logits);

    protected override void Dispose(bool disposing)
    {
        if (disposing) tag_decoder.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The reference supervised baseline <c>CNN</c>: <c>encoder</c> (same conv stack) and <c>fc</c> predicting tags.</summary>
internal sealed class Cnn : Module<Tensor, (Tensor Z, Tensor Y)>
{
    private readonly Sequential encoder;
    private readonly Sequential fc;

    public Cnn(int vocabulary = CoalaShapes.DefaultVocabulary, double dropout = CoalaShapes.DefaultDropout) : base("CNN")
    {
        encoder = CoalaShapes.ConvolutionalEncoder(dropout);
        fc = Sequential(Linear(CoalaShapes.Embedding, CoalaShapes.Embedding), ReLU(), Linear(CoalaShapes.Embedding, vocabulary), Sigmoid());
        RegisterComponents();
    }

    public Sequential Encoder => encoder;

    /// <summary>Sets the bias just before the sigmoid to <paramref name="logits"/> (prior initialisation; see CoalaNetworks.InitialiseTagPriors).</summary>
    public void SetOutputBias(float[] logits) => CoalaShapes.SetBias(((Linear)fc[2]).bias!, logits);

    public override (Tensor Z, Tensor Y) forward(Tensor x)
    {
        var z = encoder.forward(x);
        return (z, fc.forward(z));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { encoder.Dispose(); fc.Dispose(); }
        base.Dispose(disposing);
    }
}
