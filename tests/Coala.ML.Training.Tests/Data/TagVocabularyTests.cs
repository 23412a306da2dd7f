using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

public class TagVocabularyTests
{
    private static List<IReadOnlyCollection<string>> Clips(int n, params (string Tag, int Clips)[] tags)
    {
        var clips = Enumerable.Range(0, n).Select(_ => new List<string>()).ToList();
        foreach (var (tag, count) in tags)
            for (int i = 0; i < count; i++) clips[i].Add(tag);
        return clips.Select(c => (IReadOnlyCollection<string>)c).ToList();
    }

    [Fact]
    public void TagOnMoreThanMaxShareIsDroppedAndJustBelowIsKept()
    {
        var clips = Clips(100, ("common", 71), ("frequent", 69), ("edge", 70), ("rare", 10));
        var (vocab, counts) = TagVocabulary.Build(clips, minCount: 10, maxShare: 0.7, maxSize: 1000);
        Assert.Equal(["edge", "frequent", "rare"], vocab);
        Assert.Equal(new TagCount("common", 71), counts[0]);
    }

    [Fact]
    public void TagOnFewerThanMinCountClipsIsDropped()
    {
        var clips = Clips(100, ("nine", 9), ("ten", 10), ("eleven", 11));
        var (vocab, _) = TagVocabulary.Build(clips, minCount: 10, maxShare: 0.7, maxSize: 1000);
        Assert.Equal(["eleven", "ten"], vocab);
    }

    [Fact]
    public void TopVocabularyKeepsMostFrequentWithAlphabeticTies()
    {
        var clips = Clips(50, ("zebra", 20), ("apple", 12), ("mango", 12), ("kiwi", 12), ("lemon", 11));
        var (vocab, _) = TagVocabulary.Build(clips, minCount: 1, maxShare: 1, maxSize: 3);
        Assert.Equal(["zebra", "apple", "kiwi"], vocab);
    }

    [Fact]
    public void DuplicateTagWithinAClipCountsOnce()
    {
        var clips = new List<IReadOnlyCollection<string>> { new[] { "dog", "dog" }, new[] { "cat" }, new[] { "dog" } };
        var (_, counts) = TagVocabulary.Build(clips, 1, 1, 10);
        Assert.Equal([new("dog", 2), new("cat", 1)], counts);
    }

    [Theory]
    [InlineData(0, 0.7, 10)]
    [InlineData(1, 0, 10)]
    [InlineData(1, 1.5, 10)]
    [InlineData(1, 0.7, 0)]
    public void InvalidOptionsAreCoalaExceptions(int minCount, double maxShare, int maxSize) =>
        Assert.Throws<CoalaException>(() => TagVocabulary.Build([], minCount, maxShare, maxSize));
}
