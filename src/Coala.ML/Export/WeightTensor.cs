namespace Coala.ML.Export;

/// <summary>One named parameter: its shape (PyTorch order) and values (row-major).</summary>
public sealed record WeightTensor(int[] Shape, float[] Values)
{
    public int Count => Shape.Aggregate(1, (a, b) => a * b);
}
