using Coala.ML.Training.Data;

namespace Coala.ML.Training.Tests.Data;

public class ClipSourcesTests
{
    [Fact]
    public void CsvWithHeaderQuotedFieldsAndRelativeAndAbsolutePaths()
    {
        using var dir = new TempDir();
        string abs = dir.File("elsewhere/abs.wav", "");
        string csv = dir.File("meta/tags.csv",
            "path,tags\n" +
            "a.wav,dog bark\n" +
            "\"b, with comma.wav\",\"rain \"\"heavy\"\" storm\"\n" +
            $"{abs},kick\r\n" +
            "\"multi\nline.wav\",wind\n" +
            "\n" +
            "c.wav,\n");
        var content = ClipSources.ReadTagCsv(csv);
        Assert.Empty(content.Dropped);
        string meta = Path.GetDirectoryName(csv)!;
        Assert.Equal(
            [Path.Combine(meta, "a.wav"), Path.Combine(meta, "b, with comma.wav"), abs, Path.Combine(meta, "multi\nline.wav"), Path.Combine(meta, "c.wav")],
            content.Rows.Select(r => r.FullPath));
        Assert.Equal(["dog bark", "rain \"heavy\" storm", "kick", "wind", ""], content.Rows.Select(r => r.RawTags));
        Assert.Equal([2, 3, 4, 5, 8], content.Rows.Select(r => r.Line));
    }

    [Fact]
    public void HeaderColumnsMayBeInAnyOrderWithExtraColumns()
    {
        using var dir = new TempDir();
        string csv = dir.File("tags.csv", "id,Tags,license,File\n1,dog,cc0,x.wav\n");
        var row = Assert.Single(ClipSources.ReadTagCsv(csv).Rows);
        Assert.Equal(Path.Combine(dir.Path, "x.wav"), row.FullPath);
        Assert.Equal("dog", row.RawTags);
    }

    [Fact]
    public void CsvWithoutHeaderIsPathThenTags()
    {
        using var dir = new TempDir();
        string csv = dir.File("tags.csv", "x.wav,dog\ny.wav,cat\n");
        Assert.Equal(2, ClipSources.ReadTagCsv(csv).Rows.Count);
    }

    [Fact]
    public void JunkLinesAreDroppedWithTheirLineNumber()
    {
        using var dir = new TempDir();
        string csv = dir.File("tags.csv", "path,tags\nok.wav,dog\njust one field\ntoo,many,fields\n,empty path\nok2.wav,cat\n");
        var content = ClipSources.ReadTagCsv(csv);
        Assert.Equal(2, content.Rows.Count);
        Assert.Equal([$"{csv}:3", $"{csv}:4", $"{csv}:5"], content.Dropped.Select(d => d.Path));
        Assert.Contains("CSV line 3: expected 2 fields, found 1", content.Dropped[0].Reason);
        Assert.Contains("CSV line 5: empty path", content.Dropped[2].Reason);
        Assert.All(content.Dropped, d => Assert.Equal(DropCategory.BadCsvLine, d.Category));
    }

    [Fact]
    public void UnterminatedQuoteIsCoalaExceptionWithLine()
    {
        using var dir = new TempDir();
        string csv = dir.File("tags.csv", "path,tags\nok.wav,dog\n\"broken.wav,cat\nmore.wav,x\n");
        var e = Assert.Throws<CoalaException>(() => ClipSources.ReadTagCsv(csv));
        Assert.Equal(csv, e.FilePath);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void MissingCsvAndHalfHeaderAreCoalaExceptions()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<CoalaException>(() => ClipSources.ReadTagCsv(Path.Combine(dir.Path, "nope.csv")));
        Assert.Contains("not found", missing.Message);
        string csv = dir.File("tags.csv", "path,labels\nx.wav,dog\n");
        Assert.Contains("'tags' column", Assert.Throws<CoalaException>(() => ClipSources.ReadTagCsv(csv)).Message);
    }

    [Fact]
    public void FolderScanKeepsAudioFilesInOrdinalOrder()
    {
        using var dir = new TempDir();
        foreach (var f in new[] { "sounds/animals/wolf_howl-02.ogg", "sounds/animals/Cat.WAV", "drums/kick.mp3", "readme.txt", "b/x.flac" })
            dir.File(f, "");
        var files = ClipSources.ScanFolder(dir.Path);
        Assert.Equal(["b/x.flac", "drums/kick.mp3", "sounds/animals/Cat.WAV", "sounds/animals/wolf_howl-02.ogg"], files.Select(f => f.RelativePath));
        Assert.Throws<CoalaException>(() => ClipSources.ScanFolder(Path.Combine(dir.Path, "missing")));
    }

    [Fact]
    public async Task FolderScanWalksLoopsOnceAndDropsFifos()
    {
        using var dir = new TempDir();
        dir.File("sounds/dog.wav", "");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "sounds", "again"), "..");   // sounds/again -> the root
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "self"), ".");               // self -> the root
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(dir.Path, "pipe.wav")])) mkfifo.WaitForExit();
        var dropped = new List<DroppedItem>();

        var task = Task.Run(() => ClipSources.ScanFolder(dir.Path, dropped));
        var first = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(first == task, "the scan did not finish (a symlink loop followed round?)");

        Assert.Equal(["sounds/dog.wav"], (await task).Select(f => f.RelativePath));
        var fifo = Assert.Single(dropped);
        Assert.Equal(Path.Combine(dir.Path, "pipe.wav"), fifo.Path);
        Assert.Contains("named pipe (FIFO)", fifo.Reason);
    }

    [Fact]
    public void CollectMergesCsvAndFolderTagsAndDropsUntaggedClips()
    {
        using var dir = new TempDir();
        string lib = Path.Combine(dir.Path, "lib");
        dir.File("lib/sounds/animals/wolf_howl-02.ogg", "");
        dir.File("lib/123.wav", "");
        string csv = dir.File("tags.csv", "path,tags\nlib/sounds/animals/wolf_howl-02.ogg,Night Forest\nother.wav,the a 808\n");
        var listing = ClipSources.Collect(csv, lib);
        var clip = Assert.Single(listing.Clips);
        Assert.Equal(Path.Combine(lib, "sounds", "animals", "wolf_howl-02.ogg"), clip.FullPath);
        Assert.Equal(["night", "forest", "sound", "animal", "wolf", "howl"], clip.Tags);
        Assert.Equal([Path.Combine(dir.Path, "other.wav"), Path.Combine(lib, "123.wav")], listing.Dropped.Select(d => d.Path));
        Assert.All(listing.Dropped, d => Assert.Equal(DropCategory.NoTags, d.Category));
    }

    [Fact]
    public void NoInputIsCoalaException() => Assert.Throws<CoalaException>(() => ClipSources.Collect(null, null));

    /// <summary>n distinct alphabetic words of 5+ letters (none a stop-word, each its own singular).</summary>
    private static IEnumerable<string> Words(int n) => Enumerable.Range(0, n).Select(i =>
    {
        var c = new char[5];
        for (int k = 0, v = i; k < 4; k++, v /= 26) c[k] = (char)('a' + v % 26);
        c[4] = 'x';
        return "q" + new string(c);
    });

    [Fact]
    public void AClipWithMoreTagsThanTheCapIsDroppedWithAClearReason()
    {
        using var dir = new TempDir();
        string many = string.Join(' ', Words(ClipSources.MaxTagsPerClip + 1));
        string csv = dir.File("tags.csv", $"path,tags\nmany.wav,{many}\nfew.wav,dog bark\n");

        var listing = ClipSources.Collect(csv, null);

        Assert.Equal([Path.Combine(dir.Path, "few.wav")], listing.Clips.Select(c => c.FullPath));
        var d = Assert.Single(listing.Dropped);
        Assert.Equal(DropCategory.TooManyTags, d.Category);
        Assert.StartsWith("1,001 distinct tags, more than the 1,000", d.Reason);
        Assert.True(d.Reason.Length < 2000, $"reason of {d.Reason.Length} characters");
    }

    [Fact]
    public async Task CollectingIsLinearInTheTagsOfARow()
    {
        using var dir = new TempDir();
        // 160,000 distinct tags on one row took 34 s with List.Contains (quadratic); linear, it is well under a second
        // of set work beyond the tag normalisation.
        string many = string.Join(' ', Words(160_000));
        string csv = dir.File("tags.csv", $"path,tags\nmany.wav,{many}\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var task = Task.Run(() => ClipSources.Collect(csv, null));
        var first = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(first == task, "collecting 160k tags took over 30 s");
        Assert.Equal(DropCategory.TooManyTags, Assert.Single((await task).Dropped).Category);
    }
}
