namespace Coala.ML.Export;

/// <summary>One named parameter: its shape (PyTorch order) and values (row-major).</summary>
public sealed record WeightTensor(int[] Shape, float[] Values)
{
    internal int Count => Shape.Aggregate(1, (a, b) => a * b);
}
