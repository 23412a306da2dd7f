using System.Globalization;
using System.Runtime.InteropServices;
using Coala.ML.Model;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static Coala.ML.Export.OnnxProto;

namespace Coala.ML.Export;

/// <summary>
/// Writes the int8 version of a Coala.ML fp32 encoder. The five Conv + BatchNorm + ReLU blocks become five
/// <c>QLinearConv</c> nodes (BatchNorm folded into the convolution; weights int8, symmetric, one scale per output
/// channel; bias int32 at input scale x weight scale; activations uint8, one scale per tensor, from the fp32
/// encoder's ranges on calibration audio; the ReLU is the clamp at zero point 0), between one
/// <c>QuantizeLinear</c> of the scaled patches and one <c>DequantizeLinear</c> of the last block. Everything else of
/// the source graph (input reshape, the in-graph scaler, pooling, outputs) and all its metadata is kept as it is;
/// <see cref="KeyQuantization"/> marks the result. On x86 CPUs ONNX Runtime runs QLinearConv with u8 x s8 integer
/// kernels (VNNI where the CPU has it).
/// </summary>
public static class EncoderQuantizer
{
    /// <summary>Metadata key marking a quantized encoder; its value names the scheme.</summary>
    public const string KeyQuantization = "coala.quantization";
    /// <summary>What the activation ranges were calibrated on.</summary>
    public const string KeyCalibration = "coala.quantization.calibration";
    /// <summary>The fp32 encoder's weight fingerprint (<see cref="EncoderFingerprint"/>): tag models exported beside it pair with the int8 encoder too.</summary>
    public const string KeySourceFingerprint = "coala.quantization.encoder_sha256";
    /// <summary>The <see cref="KeyQuantization"/> value of the int8 encoders this writer makes.</summary>
    public const string SchemeInt8 = "int8-qlinearconv-v1";

    /// <summary>Default number of patches calibration runs through the fp32 encoder.</summary>
    public const int DefaultMaxPatches = 2000;

    private const string Prefix = "coala_q.";
    private static string ActScale(int stage) => $"{Prefix}act{stage}_scale";
    private static string ActZeroPoint(int stage) => $"{Prefix}act{stage}_zero_point";
    private static string ActQuantized(int stage) => $"{Prefix}act{stage}";

    /// <summary>
    /// Runs the fp32 encoder on the patches of <paramref name="files"/> (in a fixed shuffled order, so that a capped
    /// run still samples the whole folder) until <paramref name="maxPatches"/> patches, and records the range of the
    /// input and output of every block. Files that cannot be read are skipped and listed.
    /// </summary>
    /// <exception cref="CoalaException">the model is already quantized, or no file gave a patch.</exception>
    public static CalibrationRanges Calibrate(CoalaModel model, IReadOnlyList<string> files, int maxPatches = DefaultMaxPatches)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(files);
        if (model.Quantization is { } scheme)
            throw new CoalaException($"the model is already quantized ({KeyQuantization} = {scheme}); quantize its fp32 original", model.Path);
        if (maxPatches < 1) throw new CoalaException($"calibration needs at least 1 patch, got a maximum of {maxPatches}");
        if (files.Count == 0) throw new CoalaException("no calibration audio files given");

        int stages = EncoderWeights.Blocks + 1;
        string[] names = [OnnxEncoderWriter.ScaledPatchesName, .. Enumerable.Range(0, EncoderWeights.Blocks).Select(OnnxEncoderWriter.BlockOutput)];
        var proto = ModelProto.Parser.ParseFrom(model.Bytes);
        foreach (var name in names)
            proto.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });

        var min = Enumerable.Repeat(float.PositiveInfinity, stages).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, stages).ToArray();
        var skipped = new List<(string, string)>();
        int used = 0;
        long patches = 0;
        OnnxRuntimeNative.EnsureLoaded(model.Path);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        InferenceSession session;
        try { session = new InferenceSession(proto.ToByteArray(), options); }
        catch (Exception e) { throw new CoalaException($"ONNX Runtime cannot load the model for calibration: {e.Message.Trim()}", model.Path, e); }
        using (session)
        {
            var source = new PatchSource(model.Frontend);
            var buffer = new float[EncoderSession.DefaultChunkPatches * model.PatchValues];
            var order = files.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            new Random(2020).Shuffle(order);
            foreach (var file in order)
            {
                if (patches >= maxPatches) break;
                try
                {
                    using var stream = source.OpenFile(file);
                    bool any = false;
                    int n;
                    while (patches < maxPatches && (n = stream.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, (maxPatches - patches) * model.PatchValues)))) > 0)
                    {
                        int length = n * model.PatchValues;
                        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), [1, length]);
                        using var runOptions = new RunOptions();
                        using var outputs = session.Run(runOptions, [OnnxEncoderWriter.InputName], [input], names);
                        int s = 0;
                        foreach (var output in outputs)
                        {
                            foreach (var v in output.GetTensorDataAsSpan<float>())
                            {
                                if (v < min[s]) min[s] = v;
                                if (v > max[s]) max[s] = v;
                            }
                            s++;
                        }
                        patches += n;
                        any = true;
                    }
                    if (any) used++;
                    else skipped.Add((file, "gave no patches"));
                }
                catch (CoalaException e) { skipped.Add((file, e.Message)); }
                catch (OnnxRuntimeException e) { throw new CoalaException($"ONNX Runtime failed during calibration: {e.Message.Trim()}", model.Path, e); }
            }
        }
        if (patches == 0)
            throw new CoalaException($"no calibration patches: none of the {files.Count} file(s) gave one" +
                (skipped.Count > 0 ? $" (first: {skipped[0].Item1}: {skipped[0].Item2})" : ""));
        for (int s = 0; s < stages; s++)
            if (!float.IsFinite(min[s]) || !float.IsFinite(max[s]))
                throw new CoalaException($"the fp32 encoder gave non-finite activations at '{names[s]}' during calibration", model.Path);
        return new CalibrationRanges(min, max, used, patches, skipped);
    }

    /// <summary>Builds the int8 encoder from the fp32 <paramref name="model"/> and its calibration ranges; returns the serialized model, checked by <see cref="CoalaModel.FromBytes"/>.</summary>
    /// <exception cref="CoalaException">the model is already quantized or its graph is not the one <see cref="OnnxEncoderWriter"/> writes.</exception>
    public static byte[] Quantize(CoalaModel model, CalibrationRanges ranges, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ranges);
        if (model.Quantization is { } scheme)
            throw new CoalaException($"the model is already quantized ({KeyQuantization} = {scheme}); quantize its fp32 original", model.Path);
        int stages = EncoderWeights.Blocks + 1;
        if (ranges.Min.Length != stages || ranges.Max.Length != stages)
            throw new CoalaException($"calibration ranges for {ranges.Min.Length} stages; the encoder has {stages}");

        var proto = ModelProto.Parser.ParseFrom(model.Bytes);
        var g = proto.Graph;
        var weights = ReadWeights(g, model.Path);
        string fingerprint = EncoderFingerprint.Of(weights);

        // The nodes the blocks replace: Conv, BatchNormalization and Relu of every block, found by their outputs.
        var blockOutputs = Enumerable.Range(0, EncoderWeights.Blocks)
            .SelectMany(b => new[] { OnnxEncoderWriter.BlockConv(b), OnnxEncoderWriter.BlockNorm(b), OnnxEncoderWriter.BlockOutput(b) })
            .ToHashSet(StringComparer.Ordinal);
        var removed = g.Node.Where(n => n.Output.Count == 1 && blockOutputs.Contains(n.Output[0])).ToList();
        if (removed.Count != blockOutputs.Count || removed[0].Input.Count == 0 || removed[0].Input[0] != OnnxEncoderWriter.ScaledPatchesName)
            throw new CoalaException($"the model's graph is not the Conv + BatchNorm + ReLU blocks Coala.ML writes ({removed.Count} of {blockOutputs.Count} block nodes found); cannot quantize it", model.Path);
        int at = g.Node.IndexOf(removed[0]);
        foreach (var n in removed) g.Node.Remove(n);
        var weightNames = weights.Tensors.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var t in g.Initializer.Where(t => weightNames.Contains(t.Name)).ToList()) g.Initializer.Remove(t);
        foreach (var v in g.ValueInfo.Where(v => blockOutputs.Contains(v.Name)).ToList()) g.ValueInfo.Remove(v);

        // Activation quantization: uint8; stage 0 (scaled patches) asymmetric, the ReLU outputs [0, max] at zero point 0.
        var scale = new float[stages];
        for (int s = 0; s < stages; s++)
        {
            // The range must hold 0: the convolutions pad with the zero point, which must mean 0.
            float lo = Math.Min(0f, ranges.Min[s]), hi = Math.Max(0f, ranges.Max[s]);
            if (s > 0) lo = 0f;
            scale[s] = hi > lo ? (hi - lo) / 255f : 1f;
            byte zp = (byte)Math.Clamp(Math.Round(-lo / scale[s]), 0, 255);
            g.Initializer.Add(FloatTensor(ActScale(s), [], [scale[s]]));
            g.Initializer.Add(RawTensor(ActZeroPoint(s), TensorProto.Types.DataType.Uint8, [], [zp]));
        }

        var nodes = new List<NodeProto>
        {
            Node("QuantizeLinear", [OnnxEncoderWriter.ScaledPatchesName, ActScale(0), ActZeroPoint(0)], [ActQuantized(0)]),
        };
        for (int b = 0; b < EncoderWeights.Blocks; b++)
        {
            var (w, wScale, bias) = FoldAndQuantize(weights, b, scale[b]);
            string conv = $"{Prefix}block{b}";
            int inC = b == 0 ? 1 : EncoderWeights.Channels, k = EncoderWeights.Kernel, c = EncoderWeights.Channels;
            g.Initializer.Add(RawTensor(conv + ".weight", TensorProto.Types.DataType.Int8, [c, inC, k, k], MemoryMarshal.AsBytes(w.AsSpan())));
            g.Initializer.Add(FloatTensor(conv + ".weight_scale", [c], wScale));
            g.Initializer.Add(RawTensor(conv + ".weight_zero_point", TensorProto.Types.DataType.Int8, [c], new byte[c]));
            g.Initializer.Add(RawTensor(conv + ".bias", TensorProto.Types.DataType.Int32, [c], MemoryMarshal.AsBytes(bias.AsSpan())));
            var node = Node("QLinearConv",
                [ActQuantized(b), ActScale(b), ActZeroPoint(b), conv + ".weight", conv + ".weight_scale", conv + ".weight_zero_point",
                 ActScale(b + 1), ActZeroPoint(b + 1), conv + ".bias"],
                [ActQuantized(b + 1)]);
            OnnxEncoderWriter.AddBlockConvAttributes(node);
            nodes.Add(node);
        }
        // Back to float under the last block's name, so pooling reads it as before.
        nodes.Add(Node("DequantizeLinear", [ActQuantized(stages - 1), ActScale(stages - 1), ActZeroPoint(stages - 1)],
            [OnnxEncoderWriter.BlockOutput(EncoderWeights.Blocks - 1)]));
        for (int i = 0; i < nodes.Count; i++) g.Node.Insert(at + i, nodes[i]);
        g.Name += "_int8";
        proto.DocString += " (int8: QLinearConv blocks)";

        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        meta[KeyQuantization] = SchemeInt8;
        meta[KeyCalibration] = string.Create(CultureInfo.InvariantCulture,
            $"min/max of {ranges.Patches} patches from {ranges.Files} file(s); weights per output channel symmetric int8 with BatchNorm folded, activations per tensor uint8");
        meta[KeySourceFingerprint] = fingerprint;
        SetMetadata(proto, meta);

        CheckTopology(g, model.Path);
        byte[] bytes = proto.ToByteArray();
        CoalaModel.FromBytes(bytes, outputPath);
        return bytes;
    }

    /// <summary>
    /// Block <paramref name="block"/>'s convolution with its BatchNorm folded in (w·γ/σ, (b − μ)·γ/σ + β, in double),
    /// weights as int8 with one symmetric scale per output channel (max |w| → 127), bias as int32 at
    /// <paramref name="inputScale"/> × weight scale (what QLinearConv adds to the int32 accumulator).
    /// </summary>
    internal static (sbyte[] Weight, float[] WeightScale, int[] Bias) FoldAndQuantize(EncoderWeights weights, int block, float inputScale)
    {
        string conv = EncoderWeights.ConvName(block), bn = EncoderWeights.BatchNormName(block);
        var w = weights[conv + ".weight"].Values;
        var b = weights[conv + ".bias"].Values;
        var gamma = weights[bn + ".weight"].Values;
        var beta = weights[bn + ".bias"].Values;
        var mean = weights[bn + ".running_mean"].Values;
        var variance = weights[bn + ".running_var"].Values;
        int channels = EncoderWeights.Channels, per = w.Length / channels;
        var q = new sbyte[w.Length];
        var wScale = new float[channels];
        var bias = new int[channels];
        var folded = new double[per];
        for (int c = 0; c < channels; c++)
        {
            double factor = gamma[c] / Math.Sqrt(variance[c] + (double)EncoderWeights.BatchNormEpsilon);
            double absMax = 0;
            for (int i = 0; i < per; i++)
            {
                folded[i] = w[c * per + i] * factor;
                absMax = Math.Max(absMax, Math.Abs(folded[i]));
            }
            double s = absMax > 0 ? absMax / 127 : 1;
            wScale[c] = (float)s;
            for (int i = 0; i < per; i++) q[c * per + i] = (sbyte)Math.Clamp(Math.Round(folded[i] / wScale[c]), -127, 127);
            double foldedBias = (b[c] - mean[c]) * factor + beta[c];
            bias[c] = (int)Math.Clamp(Math.Round(foldedBias / ((double)inputScale * wScale[c])), int.MinValue, int.MaxValue);
        }
        return (q, wScale, bias);
    }

    /// <summary>The fp32 encoder's <c>audio_encoder.*</c> weights from the graph's initializers, checked.</summary>
    private static EncoderWeights ReadWeights(GraphProto g, string path)
    {
        var weights = new EncoderWeights();
        foreach (var t in g.Initializer)
        {
            if (!t.Name.StartsWith(EncoderFingerprint.Prefix, StringComparison.Ordinal)) continue;
            if (!TryFloatValues(t, out var values))
                throw new CoalaException($"encoder weight '{t.Name}' is not float32; only an fp32 encoder can be quantized", path);
            weights.Tensors[t.Name] = new WeightTensor(t.Dims.Select(d => checked((int)d)).ToArray(), values);
        }
        try { weights.Validate(); }
        catch (CoalaException e) { throw new CoalaException(e.Message + "; cannot quantize it", path, e); }
        return weights;
    }

    /// <summary>Every node input is the graph input, an initializer or an earlier node's output (ONNX's order).</summary>
    private static void CheckTopology(GraphProto g, string path)
    {
        var known = g.Input.Select(i => i.Name).Concat(g.Initializer.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        known.Add("");
        foreach (var n in g.Node)
        {
            foreach (var i in n.Input)
                if (!known.Contains(i))
                    throw new CoalaException($"quantizing left node '{n.Name}' reading '{i}', which nothing produces before it: the model's graph is not the one Coala.ML writes", path);
            foreach (var o in n.Output) known.Add(o);
        }
        foreach (var o in g.Output)
            if (!known.Contains(o.Name))
                throw new CoalaException($"quantizing left output '{o.Name}' unproduced", path);
    }
}
