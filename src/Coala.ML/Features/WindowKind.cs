namespace Coala.ML.Features;

/// <summary>Window applied to each STFT frame. The reference code uses Hann; the paper says Hamming.</summary>
public enum WindowKind { Hann, Hamming }
