using System.Text.Json;
using Onnx;

namespace Coala.ML.Features;

/// <summary>
/// The per-mel-band min-max scaler, as sklearn's MinMaxScaler fitted on the training patches, and the one home of
/// that concept: fitted (<see cref="Fitter"/>, <see cref="Fit"/>), applied (<see cref="Apply"/>: <c>(x - Min[b]) *
/// Scale(b)</c> with <c>Scale(b) = 1 / (Max[b] - Min[b])</c>, 1 where the range is 0, optionally clamped at 0),
/// serialised as a prepared corpus's JSON <c>{ bands, min[], max[] }</c> (<see cref="ToJson"/>, <see cref="FromJson"/>)
/// and read back from the two in-graph constants of an ONNX encoder, min and scale (<see cref="FromGraph"/>).
/// </summary>
public sealed class MinMaxScaler
{
    private readonly float[] _scale;
    private float[]? _max;

    /// <summary>A scaler from each band's minimum and maximum (the training data's).</summary>
    /// <exception cref="ArgumentException">empty or unequal arrays.</exception>
    /// <exception cref="CoalaException">a non-finite value or a maximum below its minimum.</exception>
    public MinMaxScaler(float[] min, float[] max)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        if (min.Length != max.Length || min.Length == 0) throw new ArgumentException("min and max must be non-empty and of equal length");
        for (int b = 0; b < min.Length; b++)
            if (!float.IsFinite(min[b]) || !float.IsFinite(max[b]) || max[b] < min[b])
                throw new CoalaException($"invalid scaler for band {b}: min {min[b]}, max {max[b]}");
        Min = min;
        _max = max;
        _scale = new float[min.Length];
        for (int b = 0; b < min.Length; b++)
        {
            float range = max[b] - min[b];
            _scale[b] = range > 0 ? 1f / range : 1f;
        }
    }

    private MinMaxScaler(float[] min, float[] scale, bool _)
    {
        Min = min;
        _scale = scale;
    }

    /// <summary>Each band's minimum.</summary>
    public float[] Min { get; }

    /// <summary>
    /// Each band's maximum. A scaler read from a model's graph (<see cref="FromGraph"/>) keeps min and scale as stored,
    /// and its maximum is worked out as min + 1 / scale for display and JSON only; it never feeds <see cref="Apply"/>.
    /// </summary>
    public float[] Max => _max ??= Min.Select((m, b) => m + 1f / _scale[b]).ToArray();

    /// <summary>Mel bands the scaler has a range for.</summary>
    public int Bands => Min.Length;

    /// <summary>The factor of band <paramref name="band"/>.</summary>
    public float Scale(int band) => _scale[band];

    /// <summary>The identity scaler (min 0, scale 1) for <paramref name="bands"/> bands.</summary>
    public static MinMaxScaler Identity(int bands) => new(new float[bands], Enumerable.Repeat(1f, bands).ToArray());

    /// <summary>
    /// Scales patches laid out [patch, band, frame] in place; with <paramref name="clampAtZero"/>, values below the
    /// training minimum become 0 (the reference clamps validation data so).
    /// </summary>
    public void Apply(Span<float> patches, int frames, bool clampAtZero = false)
    {
        int per = Bands * frames;
        if (frames <= 0 || patches.Length % per != 0) throw new ArgumentException($"patch data of {patches.Length} values is not a multiple of {Bands}x{frames}");
        for (int p = 0; p < patches.Length; p += per)
            for (int b = 0; b < Bands; b++)
            {
                float min = Min[b], s = _scale[b];
                var row = patches.Slice(p + b * frames, frames);
                for (int t = 0; t < row.Length; t++)
                {
                    float x = (row[t] - min) * s;
                    row[t] = clampAtZero && x < 0 ? 0 : x;
                }
            }
    }

    /// <summary>Fits on unscaled patches laid out [band, frame] (each array may hold several, [patch, band, frame]).</summary>
    /// <exception cref="CoalaException">no patches, a wrongly sized array or a non-finite value.</exception>
    public static MinMaxScaler Fit(IEnumerable<float[]> patches, int bands, int frames)
    {
        ArgumentNullException.ThrowIfNull(patches);
        var fitter = new Fitter(bands, frames);
        foreach (var data in patches) fitter.Add(data);
        return fitter.ToScaler();
    }

    /// <summary>Fits a scaler on patches as they stream past (one pass, O(bands) memory).</summary>
    public sealed class Fitter
    {
        private readonly float[] _min, _max;
        private readonly int _frames;

        /// <summary>A fitter of patches of <paramref name="bands"/> x <paramref name="frames"/> values.</summary>
        public Fitter(int bands, int frames)
        {
            if (bands <= 0 || frames <= 0) throw new CoalaException($"invalid patch shape {bands}x{frames}");
            _min = Enumerable.Repeat(float.PositiveInfinity, bands).ToArray();
            _max = Enumerable.Repeat(float.NegativeInfinity, bands).ToArray();
            _frames = frames;
        }

        /// <summary>How many arrays were added.</summary>
        public int Count { get; private set; }

        /// <summary>Adds one array of one or more unscaled patches [patch, band, frame].</summary>
        public void Add(ReadOnlySpan<float> data)
        {
            int bands = _min.Length, per = bands * _frames;
            if (data.Length == 0 || data.Length % per != 0)
                throw new CoalaException($"training patch {Count} has {data.Length} values, not a multiple of {bands}x{_frames}");
            for (int p = 0; p < data.Length; p += per)
                for (int b = 0; b < bands; b++)
                {
                    float lo = _min[b], hi = _max[b];
                    foreach (float v in data.Slice(p + b * _frames, _frames))
                    {
                        if (!float.IsFinite(v)) throw new CoalaException($"training patch {Count} has a non-finite value in band {b}");
                        if (v < lo) lo = v;
                        if (v > hi) hi = v;
                    }
                    _min[b] = lo;
                    _max[b] = hi;
                }
            Count++;
        }

        /// <exception cref="CoalaException">nothing was added.</exception>
        public MinMaxScaler ToScaler() =>
            Count == 0 ? throw new CoalaException("no training patches to fit the scaler on") : new MinMaxScaler(_min.ToArray(), _max.ToArray());
    }

    private sealed record JsonForm
    {
        public int Bands { get; init; }
        public float[] Min { get; init; } = [];
        public float[] Max { get; init; } = [];
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>JSON <c>{ "bands", "min", "max" }</c>, as a prepared corpus's scaler.json.</summary>
    public string ToJson() => JsonSerializer.Serialize(new JsonForm { Bands = Bands, Min = Min, Max = Max }, JsonOptions);

    /// <summary>Reads <see cref="ToJson"/>'s form, expecting <paramref name="bands"/> bands.</summary>
    /// <exception cref="CoalaException">corrupt JSON, a band count other than <paramref name="bands"/> or invalid values (naming <paramref name="source"/>).</exception>
    public static MinMaxScaler FromJson(string json, int bands, string? source = null)
    {
        try
        {
            var s = JsonSerializer.Deserialize<JsonForm>(json, JsonOptions) ?? throw new JsonException("null scaler");
            if (s.Bands != bands || s.Min.Length != bands || s.Max.Length != bands)
                throw new CoalaException($"scaler for {s.Bands} bands ({s.Min.Length} min, {s.Max.Length} max), expected {bands}", source);
            return new MinMaxScaler(s.Min, s.Max);
        }
        catch (JsonException e) { throw new CoalaException($"corrupt scaler: {e.Message}", source, e); }
        catch (CoalaException e) when (e.FilePath is null) { throw new CoalaException(e.Message, source, e); }
    }

    /// <summary>Name of the encoder graph's per-band minimum constant ([1, 1, bands, 1]).</summary>
    public const string GraphMinName = "coala_scaler_min";

    /// <summary>Name of the encoder graph's per-band scale constant ([1, 1, bands, 1]).</summary>
    public const string GraphScaleName = "coala_scaler_scale";

    /// <summary>The scaler stored in an encoder graph (<see cref="GraphMinName"/>, <see cref="GraphScaleName"/>), exactly as stored.</summary>
    /// <exception cref="CoalaException">a constant is missing, not float data, or inconsistent (naming <paramref name="source"/>).</exception>
    internal static MinMaxScaler FromGraph(GraphProto graph, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        float[] Values(string name)
        {
            var t = graph.Initializer.FirstOrDefault(i => i.Name == name)
                ?? throw new CoalaException($"the model lacks the scaler constant '{name}'", source);
            return Export.OnnxProto.TryFloatValues(t, out var v)
                ? v
                : throw new CoalaException($"the model's scaler constant '{name}' is not float data", source);
        }
        var min = Values(GraphMinName);
        var scale = Values(GraphScaleName);
        if (min.Length == 0 || min.Length != scale.Length || min.Any(m => !float.IsFinite(m)) || scale.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new CoalaException("the model's scaler constants are inconsistent (lengths differ, a value is not finite or a scale is not positive)", source);
        return new MinMaxScaler(min, scale, false);
    }
}
