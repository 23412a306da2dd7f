using Coala.ML.Features;
using Coala.ML.Training.Data;

namespace Coala.ML.Training;

/// <summary>
/// What a <see cref="CoalaTrainer"/> learns from: training and validation examples (a min-max scaled log-mel patch and
/// a multi-hot tag vector each), the frontend and scaler the patches were made with, and the tag vocabulary. The two
/// kinds are a corpus of your own clips (<see cref="PreparedCorpus"/>) and the reference's released data
/// (<see cref="ReferenceTrainingData"/>). Dispose it after training.
/// </summary>
public abstract class TrainingCorpus : IDisposable
{
    private protected TrainingCorpus()
    {
    }

    /// <summary>The log-mel frontend the patches were computed with; exported models carry it.</summary>
    public abstract FrontendSettings Frontend { get; }

    /// <summary>The per-band scaler fitted on the training examples; exported models apply it in their graph.</summary>
    public abstract MinMaxScaler Scaler { get; }

    /// <summary>The tag words, one per multi-hot index.</summary>
    public abstract IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Training examples.</summary>
    public int TrainingCount => TrainingSet.Count;

    /// <summary>Validation examples.</summary>
    public int ValidationCount => ValidationSet.Count;

    internal abstract ITrainingSet TrainingSet { get; }
    internal abstract ITrainingSet ValidationSet { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the examples' files.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
