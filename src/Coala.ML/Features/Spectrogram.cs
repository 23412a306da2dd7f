namespace Coala.ML.Features;

/// <summary>A log-mel spectrogram, band-major: value of band b at frame t is <c>Data[b * Frames + t]</c>.</summary>
internal sealed class Spectrogram
{
    public int Bands { get; }
    public int Frames { get; }
    public float[] Data { get; }

    public Spectrogram(int bands, int frames, float[] data)
    {
        if (data.Length != bands * frames) throw new ArgumentException($"data has {data.Length} values, expected {bands}x{frames}");
        Bands = bands;
        Frames = frames;
        Data = data;
    }

    public float this[int band, int frame] => Data[band * Frames + frame];
}
