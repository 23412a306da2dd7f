using System.Globalization;
using System.Runtime.InteropServices;
using Coala.ML.Features;
using Google.Protobuf;
using Onnx;
using static Coala.ML.Export.OnnxProto;

namespace Coala.ML.Export;

/// <summary>
/// Writes the COALA audio encoder as a self-contained ONNX model (opset 17) from plain weight arrays.
/// The graph takes the unscaled log-mel patches of ONE clip flattened to <c>[1, L]</c>
/// (L = patches x bands x frames), applies the min-max scaler in-graph, runs the five
/// Conv(4x4, stride 2, pad 1) + BatchNorm + ReLU blocks and reduces over patches to the clip's mean
/// and population standard deviation embeddings, each <c>[EmbeddingDim]</c>.
/// Every frontend setting is stored in the metadata so that the model carries its own preprocessing.
/// </summary>
internal static class OnnxEncoderWriter
{
    public const string InputName = "coala_logmel", MeanOutput = "coala_mean", StdOutput = "coala_std";

    /// <summary>
    /// Per-window output [P, dim]: each patch's encoding before pooling (<see cref="MeanOutput"/> is its mean over P).
    /// Written since 2026-12-05; older model files lack it, and readers fall back to one patch a run.
    /// </summary>
    public const string WindowsOutput = "coala_windows", PatchesDim = "P";

    /// <summary>Name of the symbolic input length (patches x bands x frames).</summary>
    public const string LengthDim = "L";

    // Initializer names the loader checks against the metadata.
    public const string PatchShapeName = "coala_patch_shape";

    // Tensors between the stages, by name: the int8 quantizer (EncoderQuantizer) replaces the blocks between
    // ScaledPatchesName and BlockOutput(Blocks - 1) and keeps the rest of the graph as written here.
    public const string ScaledPatchesName = "patches_scaled";
    public static string BlockConv(int block) => $"block{block}_conv";
    public static string BlockNorm(int block) => $"block{block}_bn";
    public static string BlockOutput(int block) => $"block{block}_relu";

    public const string KeyEmbeddingDim = "coala.embedding_dim";
    public const string KeyFormatVersion = "coala.format_version";
    public const string KeyArchitecture = "coala.architecture";
    /// <summary>Provenance keys written by training's export (both the encoder and the tag model carry them).</summary>
    public const string KeyTrainingVariant = "coala.training.variant", KeyTrainingEpoch = "coala.training.epoch",
        KeyTrainingVocabularySize = "coala.training.vocabulary_size";
    /// <summary>
    /// Present (value <see cref="FramesByBands"/>) when the convolutions see each patch transposed, [frames, bands]:
    /// models imported from the reference, whose released weights were trained that way (docs/REFERENCE.md).
    /// The input and the scaler stay per band either way; the transpose is a node of the graph.
    /// </summary>
    public const string KeyConvInput = "coala.conv_input";
    public const string FramesByBands = "frames-bands";
    public const int FormatVersion = 1;
    public const string Architecture = "coala-audio-encoder-v1";
    public const string ProducerName = "Coala.ML";
    public const int Opset = 17;
    public const long IrVersion = 8;

    /// <summary>Total spatial downsampling of the five stride-2 convolutions.</summary>
    public const int Downsampling = 32;

    /// <summary>Embedding size for a frontend: channels x (bands/32) x (frames/32); 1152 for 96 x 96 patches.</summary>
    public static int EmbeddingDim(FrontendSettings frontend) =>
        EncoderWeights.Channels * (frontend.MelBands / Downsampling) * (frontend.PatchFrames / Downsampling);

    /// <summary>Builds the ONNX model and returns its serialized bytes.</summary>
    /// <exception cref="CoalaException">invalid weights, frontend or scaler, or a metadata key clash.</exception>
    public static byte[] Write(EncoderWeights weights, FrontendSettings frontend, MinMaxScaler scaler,
        IReadOnlyDictionary<string, string>? extraMetadata = null, bool framesByBands = false)
        => Build(weights, frontend, scaler, extraMetadata, framesByBands).ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> atomically (temp file in the same folder, then move).</summary>
    /// <remarks><paramref name="framesByBands"/>: transpose each scaled patch to [frames, bands] before the convolutions (see <see cref="KeyConvInput"/>).</remarks>
    public static void Write(string path, EncoderWeights weights, FrontendSettings frontend, MinMaxScaler scaler,
        IReadOnlyDictionary<string, string>? extraMetadata = null, bool framesByBands = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Write(weights, frontend, scaler, extraMetadata, framesByBands);
        IO.AtomicFile.WriteAllBytes(path, bytes, "the model");
    }

    /// <summary>Builds the ONNX <see cref="ModelProto"/> (exposed for tests that need to alter a valid model).</summary>
    public static ModelProto Build(EncoderWeights weights, FrontendSettings frontend, MinMaxScaler scaler,
        IReadOnlyDictionary<string, string>? extraMetadata = null, bool framesByBands = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(frontend);
        ArgumentNullException.ThrowIfNull(scaler);
        weights.Validate();
        frontend.Validate();
        int bands = frontend.MelBands, frames = frontend.PatchFrames;
        if (scaler.Bands != bands)
            throw new CoalaException($"the scaler has {scaler.Bands} bands but the frontend has {bands} mel bands");
        if (bands % Downsampling != 0 || frames % Downsampling != 0)
            throw new CoalaException($"the encoder needs mel bands and patch frames divisible by {Downsampling} (five stride-2 convolutions); got {bands} x {frames}");
        int dim = EmbeddingDim(frontend);

        var g = new GraphProto { Name = "coala_audio_encoder" };
        g.Input.Add(TensorInfo(InputName, Dim(1), DimParam(LengthDim)));
        // Rank-1 outputs: ML.NET then sees a plain Vector<Single, dim> rather than a [1, dim] tensor.
        g.Output.Add(TensorInfo(MeanOutput, Dim(dim)));
        g.Output.Add(TensorInfo(StdOutput, Dim(dim)));
        g.Output.Add(TensorInfo(WindowsOutput, DimParam(PatchesDim), Dim(dim)));

        // Patches [P, 1, bands, frames], scaled per band.
        g.Initializer.Add(Int64Tensor(PatchShapeName, [-1, 1, bands, frames]));
        g.Initializer.Add(FloatTensor(MinMaxScaler.GraphMinName, [1, 1, bands, 1], scaler.Min));
        g.Initializer.Add(FloatTensor(MinMaxScaler.GraphScaleName, [1, 1, bands, 1], Enumerable.Range(0, bands).Select(scaler.Scale).ToArray()));
        g.Node.Add(Node("Reshape", [InputName, PatchShapeName], ["patches"]));
        g.Node.Add(Node("Sub", ["patches", MinMaxScaler.GraphMinName], ["patches_centred"]));
        g.Node.Add(Node("Mul", ["patches_centred", MinMaxScaler.GraphScaleName], [ScaledPatchesName]));

        string x = ScaledPatchesName;
        if (framesByBands)
        {
            var transpose = Node("Transpose", [x], ["patches_frames_bands"]);
            transpose.Attribute.Add(Ints("perm", 0, 1, 3, 2));
            g.Node.Add(transpose);
            x = "patches_frames_bands";
        }
        for (int b = 0; b < EncoderWeights.Blocks; b++)
        {
            string conv = EncoderWeights.ConvName(b), bn = EncoderWeights.BatchNormName(b);
            foreach (var name in new[] { conv + ".weight", conv + ".bias", bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var" })
            {
                var t = weights[name];
                g.Initializer.Add(FloatTensor(name, t.Shape.Select(d => (long)d).ToArray(), t.Values));
            }
            var convNode = Node("Conv", [x, conv + ".weight", conv + ".bias"], [BlockConv(b)]);
            AddBlockConvAttributes(convNode);
            g.Node.Add(convNode);
            var bnNode = Node("BatchNormalization",
                [BlockConv(b), bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var"], [BlockNorm(b)]);
            bnNode.Attribute.Add(Float("epsilon", EncoderWeights.BatchNormEpsilon));
            g.Node.Add(bnNode);
            g.Node.Add(Node("Relu", [BlockNorm(b)], [BlockOutput(b)]));
            x = BlockOutput(b);
        }

        // [P, C, h, w] -> [P, dim] (PyTorch's view order), then mean and population std over patches.
        var flatten = Node("Flatten", [x], ["features"]);
        flatten.Attribute.Add(Int("axis", 1));
        g.Node.Add(flatten);
        g.Node.Add(Node("Identity", ["features"], [WindowsOutput]));
        g.Node.Add(ReduceMean("features", MeanOutput, keepDims: false));
        g.Node.Add(Node("Sub", ["features", MeanOutput], ["deviation"])); // [P, dim] - [dim] broadcasts
        g.Node.Add(Node("Mul", ["deviation", "deviation"], ["deviation_sq"]));
        g.Node.Add(ReduceMean("deviation_sq", "variance", keepDims: false));
        g.Node.Add(Node("Sqrt", ["variance"], [StdOutput]));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = typeof(OnnxEncoderWriter).Assembly.GetName().Version?.ToString() ?? "",
            ModelVersion = FormatVersion,
            DocString = "COALA audio encoder (Favory et al. 2020): unscaled log-mel patches of one clip -> mean and std embeddings",
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in frontend.ToMetadata()) meta[k] = v;
        meta[KeyEmbeddingDim] = dim.ToString(CultureInfo.InvariantCulture);
        meta[KeyFormatVersion] = FormatVersion.ToString(CultureInfo.InvariantCulture);
        meta[KeyArchitecture] = Architecture;
        if (framesByBands) meta[KeyConvInput] = FramesByBands;
        AddExtraMetadata(meta, extraMetadata);
        SetMetadata(model, meta);
        return model;
    }

    /// <summary>The geometry of every block's convolution (4x4 kernel, stride 2, padding 1), for Conv and QLinearConv alike.</summary>
    internal static void AddBlockConvAttributes(NodeProto node)
    {
        node.Attribute.Add(Ints("kernel_shape", EncoderWeights.Kernel, EncoderWeights.Kernel));
        node.Attribute.Add(Ints("strides", 2, 2));
        node.Attribute.Add(Ints("pads", 1, 1, 1, 1));
        node.Attribute.Add(Ints("dilations", 1, 1));
        node.Attribute.Add(Int("group", 1));
    }

    private static NodeProto ReduceMean(string input, string output, bool keepDims)
    {
        // Opset 17: axes is an attribute (it became an input in opset 18).
        var n = Node("ReduceMean", [input], [output]);
        n.Attribute.Add(Ints("axes", 0));
        n.Attribute.Add(Int("keepdims", keepDims ? 1 : 0));
        return n;
    }
}
