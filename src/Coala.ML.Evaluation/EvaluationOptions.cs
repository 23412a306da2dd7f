namespace Coala.ML.Evaluation;

/// <summary>How <see cref="Evaluator"/> runs the protocol.</summary>
public sealed record EvaluationOptions
{
    /// <summary>MLP trainings per (feature, task, fold), each with its own seed.</summary>
    public int Repeats { get; init; } = 10;
    public int Seed { get; init; }
    public MlpOptions Mlp { get; init; } = new();
    /// <summary>Also train ML.NET's LbfgsMaximumEntropy (once per fold: it is deterministic).</summary>
    public bool MlNet { get; init; } = true;
    /// <summary>Files whose features are extracted at the same time.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Folder for evaluation.md, evaluation.csv and confusion/*.png; <c>null</c> writes nothing.</summary>
    public string? OutputDirectory { get; init; }
    public bool Plots { get; init; } = true;

    public void Validate()
    {
        if (Repeats < 1) throw new CoalaException($"--repeats must be at least 1, got {Repeats}");
        if (Threads < 1) throw new CoalaException($"--threads must be at least 1, got {Threads}");
        Mlp.Validate();
    }
}
