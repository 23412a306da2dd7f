namespace Coala.ML.Evaluation;

/// <summary>
/// Settings of the downstream MLP (the paper's protocol: one hidden layer of 256 units).
/// Defaults: ReLU, dropout 0.5, Adam lr 1e-3, batch 64, at most 100 epochs with early stopping (patience 10 epochs on
/// the loss of a stratified 10% of the training split held out; the best epoch's weights are kept).
/// </summary>
public sealed record MlpOptions
{
    public int Hidden { get; init; } = 256;
    public double Dropout { get; init; } = 0.5;
    public double LearningRate { get; init; } = 1e-3;
    public int BatchSize { get; init; } = 64;
    public int MaxEpochs { get; init; } = 100;
    /// <summary>Epochs without a better validation loss before stopping; 0 trains all <see cref="MaxEpochs"/> on the whole training split.</summary>
    public int Patience { get; init; } = 10;
    public double ValidationFraction { get; init; } = 0.1;

    public void Validate()
    {
        if (Hidden < 1) throw new CoalaException($"hidden units must be at least 1, got {Hidden}");
        if (Dropout is < 0 or >= 1) throw new CoalaException($"dropout must be in [0, 1), got {Dropout}");
        if (!(LearningRate > 0)) throw new CoalaException($"learning rate must be positive, got {LearningRate}");
        if (BatchSize < 1) throw new CoalaException($"batch size must be at least 1, got {BatchSize}");
        if (MaxEpochs < 1) throw new CoalaException($"epochs must be at least 1, got {MaxEpochs}");
        if (Patience < 0) throw new CoalaException($"patience must be 0 or more, got {Patience}");
        if (ValidationFraction is <= 0 or >= 0.5) throw new CoalaException($"validation fraction must be in (0, 0.5), got {ValidationFraction}");
    }

    public string Describe() =>
        $"MLP {Hidden} hidden ReLU units, dropout {Dropout:0.##}, Adam lr {LearningRate:g3}, batch {BatchSize}, " +
        (Patience > 0
            ? $"up to {MaxEpochs} epochs with early stopping (patience {Patience}) on the loss of a stratified {ValidationFraction:P0} of the training split, best epoch kept"
            : $"{MaxEpochs} epochs");
}
