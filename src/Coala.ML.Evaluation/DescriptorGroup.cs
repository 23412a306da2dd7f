namespace Coala.ML.Evaluation;

/// <summary>The acoustic descriptor groups of the paper's Table 2, in its row order.</summary>
public enum DescriptorGroup
{
    MfccMean, MfccVariance, MfccSkewness,
    ChromaMean, ChromaVariance, ChromaSkewness,
    CentroidMean, CentroidVariance, CentroidSkewness,
    BandwidthMean, BandwidthVariance, BandwidthSkewness,
}
