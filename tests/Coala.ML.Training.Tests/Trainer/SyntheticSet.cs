using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Trainer;

/// <summary>
/// An in-memory training set of generated 96x96 patches in a few "classes": class c lights up its own range of
/// mel bands with a class-specific temporal rhythm, over low noise, and carries tags {2c, 2c+1}.
/// </summary>
internal sealed class SyntheticSet : ITrainingSet
{
    private readonly float[][] _patches;
    private readonly float[][] _labels;

    public SyntheticSet(int count, int seed, int classes = 3, int vocabulary = 6)
    {
        var rng = new Random(seed);
        _patches = new float[count][];
        _labels = new float[count][];
        VocabularySize = vocabulary;
        int bandsPerClass = Bands / classes;
        for (int i = 0; i < count; i++)
        {
            int c = i % classes;
            var p = new float[Bands * Frames];
            for (int b = 0; b < Bands; b++)
                for (int f = 0; f < Frames; f++)
                {
                    bool on = b / bandsPerClass == c && (f / (4 + 4 * c)) % 2 == 0;
                    p[b * Frames + f] = (on ? 0.8f : 0.1f) + 0.1f * (float)rng.NextDouble();
                }
            _patches[i] = p;
            var l = new float[vocabulary];
            l[(2 * c) % vocabulary] = 1;
            l[(2 * c + 1) % vocabulary] = 1;
            _labels[i] = l;
        }
    }

    public int Count => _patches.Length;
    public int Bands => 96;
    public int Frames => 96;
    public int VocabularySize { get; }

    public void Fill(ReadOnlySpan<int> indices, Span<float> patches, Span<float> labels)
    {
        for (int k = 0; k < indices.Length; k++)
        {
            _patches[indices[k]].CopyTo(patches.Slice(k * Bands * Frames, Bands * Frames));
            _labels[indices[k]].CopyTo(labels.Slice(k * VocabularySize, VocabularySize));
        }
    }
}
