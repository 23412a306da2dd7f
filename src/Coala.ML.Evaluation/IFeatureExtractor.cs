namespace Coala.ML.Evaluation;

/// <summary>
/// Turns one audio file into one fixed-length feature vector for the downstream classifiers of
/// <c>coala evaluate</c>. Implementations are thread-safe: <see cref="Extract"/> is called in parallel.
/// </summary>
public interface IFeatureExtractor : IDisposable
{
    /// <summary>Row name in the result tables (e.g. "AE-C", "MFCC", "random encoder").</summary>
    string Name { get; }

    /// <summary>Length of every vector <see cref="Extract"/> returns.</summary>
    int Dimension { get; }

    /// <summary>The clip's feature vector (finite values, <see cref="Dimension"/> long).</summary>
    /// <exception cref="CoalaException">the file is missing, unreadable or holds invalid audio; names the file.</exception>
    float[] Extract(string path);
}
