namespace Coala.ML.Features;

/// <summary>Window applied to each STFT frame. The reference code uses Hann; the paper says Hamming.</summary>
public enum WindowKind
{
    /// <summary>Periodic Hann, 0.5 - 0.5 cos(2 pi n / N), as librosa and the reference.</summary>
    Hann,
    /// <summary>Periodic Hamming, 0.54 - 0.46 cos(2 pi n / N).</summary>
    Hamming,
}
