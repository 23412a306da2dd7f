namespace Coala.ML.Evaluation;

/// <summary>One clip's descriptors: for each <see cref="DescriptorGroup"/> the per-dimension summary over time.</summary>
public sealed class ClipDescriptors
{
    private readonly double[][] _groups;

    public ClipDescriptors(FrameFeatures frames)
    {
        Frames = frames;
        _groups = new double[Descriptors.Groups.Count][];
        Put(DescriptorGroup.MfccMean, frames.Mfcc);
        Put(DescriptorGroup.ChromaMean, frames.Chroma);
        Put(DescriptorGroup.CentroidMean, [frames.Centroid]);
        Put(DescriptorGroup.BandwidthMean, [frames.Bandwidth]);

        void Put(DescriptorGroup mean, double[][] rows)
        {
            var stats = rows.Select(r => Descriptors.Summarize(r)).ToArray();
            _groups[(int)mean] = stats.Select(s => s.Mean).ToArray();
            _groups[(int)mean + 1] = stats.Select(s => s.Variance).ToArray();
            _groups[(int)mean + 2] = stats.Select(s => s.Skewness).ToArray();
        }
    }

    public FrameFeatures Frames { get; }

    /// <summary>The values of <paramref name="group"/> (20 for MFCC groups, 12 for chroma, 1 otherwise).</summary>
    public double[] this[DescriptorGroup group] => _groups[(int)group];
}
