using Coala.ML.Evaluation;

namespace Coala.ML.Training.Tests.Evaluation;

public class TagSearchEvaluationTests
{
    [Fact]
    public void MetricsEqualHandComputedValues()
    {
        // 2-d space, 4 tags on the axes and diagonals; 3 clips.
        const int d = 2;
        float[] words = [1, 0, /**/ 0, 1, /**/ 1, 1, /**/ -1, 0];
        float[] clips = [1, 0.1f, /**/ 0.1f, 1, /**/ -1, 0.2f];
        byte[] labels =
        [
            1, 0, 0, 0, // clip 0: tag 0 (ranked 0, 2, 1, 3)
            0, 0, 1, 1, // clip 1: tags 2, 3 (ranked 1, 2, 0, 3)
            0, 0, 0, 1, // clip 2: tag 3 (ranked 3, 1, 2, 0)
        ];
        int[] trainCounts = [5, 9, 1, 2]; // baseline top 2: tags 1, 0
        var r = TagSearchEvaluation.Compute(clips, words, labels, trainCounts, d, k: 2, minClips: 2);
        // top-2 hits: clip 0 {0,2} -> 1; clip 1 {1,2} -> 1; clip 2 {3,1} -> 1.
        Assert.Equal((0.5 + 0.5 + 0.5) / 3, r.TagPrecision, 10);
        Assert.Equal((1.0 + 0.5 + 1.0) / 3, r.TagRecall, 10);
        Assert.Equal((0.5 + 1.0 + 0.5) / 3, r.BestPossiblePrecision, 10);
        // baseline {1,0}: clip 0 -> 1 hit, clip 1 -> 0, clip 2 -> 0.
        Assert.Equal(0.5 / 3, r.BaselinePrecision, 10);
        Assert.Equal(1.0 / 3, r.BaselineRecall, 10);
        Assert.Equal(["1", "0"], r.BaselineTags);
        // Only tag 3 is on >= 2 clips (1 and 2); clips by similarity to (-1, 0): clip 2, clip 1, clip 0 -> top 2 = {2, 1}: both relevant.
        Assert.Equal(1, r.RetrievalTags);
        Assert.Equal(1.0, r.RetrievalPrecision, 10);
        Assert.Equal(2.0 / 3, r.RetrievalRandomPrecision, 10);
        Assert.Contains("| tag ranking precision@2", r.ToMarkdown("m"));
    }

    [Fact]
    public void PrecisionDividesByKEvenWhenAClipHasFewerTags()
    {
        float[] words = [1, 0, 0, 1];
        float[] clips = [1, 0];
        var r = TagSearchEvaluation.Compute(clips, words, [1, 0], [1, 1], 2, k: 10, minClips: 1);
        Assert.Equal(0.1, r.TagPrecision, 10);
        Assert.Equal(1.0, r.TagRecall, 10);
    }
}
