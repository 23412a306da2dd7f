using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

public class TagProcessorTests
{
    [Theory]
    [InlineData("dogs", "dog")]
    [InlineData("glasses", "glass")]
    [InlineData("boxes", "box")]
    [InlineData("bass", "bass")]
    [InlineData("Dogs", "dog")]
    [InlineData("DRUMS", "drum")]
    [InlineData("kick", "kick")]
    [InlineData("birds", "bird")]
    [InlineData("women", "woman")]
    [InlineData("noise", "noise")]
    [InlineData("news", "news")]
    [InlineData("glass", "glass")]
    [InlineData("synthesizers", "synthesizer")]
    [InlineData("Café", "café")]
    [InlineData("naïve", "naïve")]
    public void SingleTagIsLowerCasedAndSingular(string raw, string expected) =>
        Assert.Equal([expected], TagProcessor.FromTagString(raw));

    [Theory]
    [InlineData("the")]          // stop-word
    [InlineData("The")]          // stop-word after lower-casing
    [InlineData("don't")]        // stop-word, and not alphabetic anyway
    [InlineData("808")]          // digits
    [InlineData("kick808")]      // not wholly alphabetic: dropped whole, as the reference's isalpha
    [InlineData("field-recording")] // not wholly alphabetic (CSV tags are split on spaces only)
    [InlineData("a")]            // 1 letter
    [InlineData("x")]
    [InlineData("!!!")]          // punctuation
    [InlineData("drum,")]        // trailing punctuation: not alphabetic
    [InlineData("")]
    [InlineData("   ")]
    public void TagIsDropped(string raw) => Assert.Empty(TagProcessor.FromTagString(raw));

    [Fact]
    public void TagStringIsSplitOnWhiteSpaceAndDeduplicated()
    {
        Assert.Equal(["dog", "bark", "field"], TagProcessor.FromTagString("Dogs  bark\tthe dog field 2019 kick808 DOG"));
    }

    [Fact]
    public void NullTagStringGivesNothing() => Assert.Empty(TagProcessor.FromTagString(null));

    [Fact]
    public void DecomposedUnicodeIsComposedFirst()
    {
        // "cafe" + combining acute accent (NFD) equals the composed "café".
        Assert.Equal(["café"], TagProcessor.FromTagString("Cafe\u0301"));
    }

    [Fact]
    public void StopWordListIsNltksEnglish179()
    {
        Assert.Equal(179, TagProcessor.StopWords.Count);
        Assert.Contains("the", TagProcessor.StopWords);
        Assert.Contains("wouldn't", TagProcessor.StopWords);
        Assert.DoesNotContain("dog", TagProcessor.StopWords);
    }

    [Theory]
    [InlineData("sounds/animals/wolf_howl-02.ogg", new[] { "sound", "animal", "wolf", "howl" })]
    [InlineData("Drums/Kick808.wav", new[] { "drum", "kick" })]
    [InlineData("KickDrum_01.WAV", new[] { "kick", "drum" })]
    [InlineData("fx/the.rain.on.a.roof.flac", new[] { "fx", "rain", "roof" })]
    [InlineData("a/b/c.wav", new string[0])]
    [InlineData("123/456.wav", new string[0])]
    [InlineData("Ambience/Café terrace (night).mp3", new[] { "ambience", "café", "terrace", "night" })]
    [InlineData("birds.and.birds.wav", new[] { "bird" })]
    public void PathWordsBecomeTags(string relativePath, string[] expected) =>
        Assert.Equal(expected, TagProcessor.FromRelativePath(relativePath));
}
