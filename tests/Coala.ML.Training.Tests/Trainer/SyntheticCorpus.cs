using Coala.ML.Features;
using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Trainer;

/// <summary>A <see cref="TrainingCorpus"/> over two in-memory sets (<see cref="SyntheticSet"/> in most tests), words t0, t1, ...</summary>
internal sealed class SyntheticCorpus(ITrainingSet train, ITrainingSet validation, MinMaxScaler? scaler = null) : TrainingCorpus
{
    public override FrontendSettings Frontend => FrontendSettings.Default;
    public override MinMaxScaler Scaler { get; } = scaler ?? MinMaxScaler.Identity(96);
    public override IReadOnlyList<string> Vocabulary { get; } = Enumerable.Range(0, train.VocabularySize).Select(i => $"t{i}").ToArray();
    internal override ITrainingSet TrainingSet => train;
    internal override ITrainingSet ValidationSet => validation;
}
