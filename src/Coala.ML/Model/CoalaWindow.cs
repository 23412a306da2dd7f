namespace Coala.ML;

/// <summary>One window's embedding (<see cref="CoalaEmbedder.EmbedFileWindows(string, double?)"/>): where it lies in the file, in seconds, and its vector.</summary>
/// <param name="StartSeconds">Start of the window in the file.</param>
/// <param name="EndSeconds">End of the window (start + one patch, 2.23 s; past the audio's end for a clip shorter than one window).</param>
/// <param name="Embedding">The encoder's vector for this window.</param>
public sealed record CoalaWindow(double StartSeconds, double EndSeconds, float[] Embedding);
