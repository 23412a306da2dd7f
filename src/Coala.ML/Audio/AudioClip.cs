namespace Coala.ML.Audio;

/// <summary>Decoded mono audio: samples in [-1, 1] (not clipped) at <see cref="SampleRate"/>.</summary>
/// <param name="Samples">Mono samples; channels are averaged.</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Source">File path or a caller-given name, used in error messages.</param>
public sealed record AudioClip(float[] Samples, int SampleRate, string Source)
{
    /// <summary>Length in seconds.</summary>
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}
