using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Onnx;

namespace Coala.ML.Export;

/// <summary>
/// SHA-256 over the audio encoder's weights (each <c>audio_encoder.*</c> tensor's name, then its float32
/// little-endian values, in ordinal name order). A tag model records the fingerprint of the encoder it was
/// exported with, so pairing it with another encoder (another epoch, another run) is an error, not silent garbage.
/// Metadata changes of the encoder file do not change it.
/// </summary>
internal static class EncoderFingerprint
{
    public const string Prefix = "audio_encoder.";

    public static string Of(EncoderWeights weights)
    {
        weights.Validate();
        return Hash(weights.Tensors.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (p.Key, MemoryMarshal.AsBytes(p.Value.Values.AsSpan()).ToArray())));
    }

    /// <summary>The fingerprint of an encoder ONNX model's weights (its <c>audio_encoder.*</c> initializers).</summary>
    public static string Of(byte[] onnxModel, string path)
    {
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(onnxModel); }
        catch (Exception e) { throw new CoalaException($"not an ONNX model ({e.Message})", path, e); }
        var tensors = model.Graph?.Initializer.Where(t => t.Name.StartsWith(Prefix, StringComparison.Ordinal)).ToList() ?? [];
        if (tensors.Count == 0)
        {
            // An int8 encoder (EncoderQuantizer) holds no fp32 weights; it records its fp32 original's fingerprint, so
            // that the tag models exported beside the original pair with it.
            var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            if (meta.ContainsKey(EncoderQuantizer.KeyQuantization) && meta.TryGetValue(EncoderQuantizer.KeySourceFingerprint, out var source)
                && source.Length == 64 && source.All(char.IsAsciiHexDigitLower))
                return source;
            throw new CoalaException("the encoder model holds no audio_encoder.* weights", path);
        }
        return Hash(tensors.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t.Name, FloatBytes(t, path))));
    }

    private static byte[] FloatBytes(TensorProto t, string path)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new CoalaException($"encoder weight '{t.Name}' is not float32", path);
        if (!t.RawData.IsEmpty) return t.RawData.ToByteArray();
        return MemoryMarshal.AsBytes(t.FloatData.ToArray().AsSpan()).ToArray();
    }

    private static string Hash(IEnumerable<(string Name, byte[] Bytes)> tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in tensors)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData([0]);
            sha.AppendData(BitConverter.GetBytes((long)bytes.Length));
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
