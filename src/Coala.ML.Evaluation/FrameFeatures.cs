namespace Coala.ML.Evaluation;

/// <summary>Frame-level features of the analysed window, each [dimension][frame].</summary>
public sealed record FrameFeatures(double[][] Mfcc, double[][] Chroma, double[] Centroid, double[] Bandwidth, double Tuning)
{
    public int Frames => Centroid.Length;
}
