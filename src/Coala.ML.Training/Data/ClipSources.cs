using System.Text;

namespace Coala.ML.Training.Data;

/// <summary>A clip to prepare: its audio file (full path) and its normalised tags.</summary>
internal sealed record ClipEntry(string FullPath, string[] Tags);

/// <summary>The clips found in the inputs, in deterministic order, and the input items that were rejected.</summary>
internal sealed record ClipListing(IReadOnlyList<ClipEntry> Clips, IReadOnlyList<DroppedItem> Dropped);

/// <summary>
/// Reads the inputs of <c>coala prepare</c>: a tag CSV (Freesound style) and/or a folder whose files are
/// tagged by the words of their relative paths. Tags are normalised by <see cref="TagProcessor"/>.
/// </summary>
internal static class ClipSources
{
    /// <summary>File extensions taken from a folder (case-insensitive); other files are ignored.</summary>
    public static readonly IReadOnlySet<string> AudioExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".mp3", ".ogg", ".oga", ".flac", ".aif", ".aiff",
    };

    /// <summary>The most distinct tags a clip may have (Freesound clips have a few dozen); a clip with more is dropped.</summary>
    public const int MaxTagsPerClip = 1000;

    internal static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>
    /// Collects clips from <paramref name="csvPath"/> (rows first, in file order) then <paramref name="folder"/>
    /// (files in ordinal order of relative path). A file named by both gets the union of both tag sets.
    /// Clips left with no tag after normalisation are dropped with their reason.
    /// </summary>
    public static ClipListing Collect(string? csvPath, string? folder)
    {
        if (csvPath is null && folder is null) throw new CoalaException("nothing to prepare: give a tag CSV (--csv) and/or an audio folder (--folder)");
        var order = new List<string>();
        // Each clip's tags in first-seen order, with a set beside the list: linear in the tags of a row (a List.Contains
        // made 160k tags take 34 s).
        var tags = new Dictionary<string, (List<string> List, HashSet<string> Seen)>(PathComparer);
        var dropped = new List<DroppedItem>();

        void Add(string fullPath, IEnumerable<string> t)
        {
            if (!tags.TryGetValue(fullPath, out var entry))
            {
                tags[fullPath] = entry = ([], new HashSet<string>(StringComparer.Ordinal));
                order.Add(fullPath);
            }
            foreach (var tag in t) if (entry.Seen.Add(tag)) entry.List.Add(tag);
        }

        if (csvPath is not null)
        {
            var csv = ReadTagCsv(csvPath);
            dropped.AddRange(csv.Dropped);
            foreach (var row in csv.Rows) Add(row.FullPath, TagProcessor.FromTagString(row.RawTags));
        }
        if (folder is not null)
            foreach (var (full, relative) in ScanFolder(folder, dropped))
                Add(full, TagProcessor.FromRelativePath(relative));

        var clips = new List<ClipEntry>();
        foreach (var path in order)
        {
            var list = tags[path].List;
            if (list.Count == 0) dropped.Add(new DroppedItem(path, "no tag left after tag processing", DropCategory.NoTags));
            else if (list.Count > MaxTagsPerClip)
                dropped.Add(new DroppedItem(path, $"{list.Count:N0} distinct tags, more than the {MaxTagsPerClip:N0} a clip may have (a broken or hostile tag list?): {Excerpt.Join(list)}", DropCategory.TooManyTags));
            else clips.Add(new ClipEntry(path, [.. list]));
        }
        return new ClipListing(clips, dropped);
    }

    /// <summary>
    /// Audio files under <paramref name="folder"/>, recursively, with their '/'-separated relative paths, ordinal order.
    /// Hidden files and folders are left out; each real folder is walked once (symbolic link loops are not followed
    /// round); audio-named entries that are not regular files (FIFOs, devices) and unreadable folders are added to
    /// <paramref name="dropped"/> when given.
    /// </summary>
    public static IReadOnlyList<(string FullPath, string RelativePath)> ScanFolder(string folder, List<DroppedItem>? dropped = null)
    {
        if (!Directory.Exists(folder)) throw new CoalaException("audio folder not found", folder);
        var root = Path.GetFullPath(folder);
        var failures = new List<(string Path, string Error)>();
        var found = IO.FolderWalker.Files(root, recursive: true, f => AudioExtensions.Contains(Path.GetExtension(f)), failures, skipHidden: true);
        dropped?.AddRange(failures.Select(f => new DroppedItem(f.Path, f.Error, DropCategory.Unreadable)));
        var files = found.Select(f => (f, Path.GetRelativePath(root, f).Replace('\\', '/'))).ToList();
        files.Sort((a, b) => string.CompareOrdinal(a.Item2, b.Item2));
        return files;
    }

    /// <summary>One usable CSV row: the audio file's full path and its raw tag string.</summary>
    internal sealed record CsvRow(int Line, string FullPath, string RawTags);

    /// <summary>The rows of a tag CSV and the lines rejected (as "file:line" with the reason).</summary>
    internal sealed record CsvContent(IReadOnlyList<CsvRow> Rows, IReadOnlyList<DroppedItem> Dropped);

    /// <summary>
    /// Reads a tag CSV: RFC 4180 (commas, double-quoted fields with "" escapes and embedded line breaks).
    /// An optional header names the columns: "path" (or "file"/"filename") and "tags"; other columns are ignored.
    /// Without a header the rows are <c>path,tags</c>. Paths are relative to the CSV's folder or absolute.
    /// A row with a wrong number of fields or an empty path is dropped with its line number; blank lines are
    /// skipped. A missing/unreadable file, a header without the needed columns, or an unterminated quote
    /// (which would swallow the rest of the file) is a <see cref="CoalaException"/>.
    /// </summary>
    public static CsvContent ReadTagCsv(string csvPath)
    {
        string text;
        try { text = File.ReadAllText(csvPath, Encoding.UTF8); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CoalaException(File.Exists(csvPath) ? $"cannot read the tag CSV: {e.Message}" : "tag CSV not found", csvPath, e);
        }
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var records = ParseCsv(text, csvPath);
        var rows = new List<CsvRow>();
        var dropped = new List<DroppedItem>();
        int pathCol = 0, tagsCol = 1, expected = 2, start = 0;
        if (records.Count > 0)
        {
            var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
            int p = Array.FindIndex(header, h => h is "path" or "file" or "filename");
            int t = Array.IndexOf(header, "tags");
            if (p >= 0 || t >= 0)
            {
                if (p < 0 || t < 0)
                    throw new CoalaException($"the CSV header (line {records[0].Line}) needs a 'path' and a 'tags' column; found: {string.Join(", ", header)}", csvPath);
                (pathCol, tagsCol, expected, start) = (p, t, header.Length, 1);
            }
        }
        for (int r = start; r < records.Count; r++)
        {
            var (line, fields) = records[r];
            string where = $"{csvPath}:{line}";
            if (fields.Length == 1 && fields[0].Trim().Length == 0) continue; // blank line
            if (fields.Length != expected)
            {
                dropped.Add(new DroppedItem(where, $"CSV line {line}: expected {expected} fields, found {fields.Length}", DropCategory.BadCsvLine));
                continue;
            }
            string path = fields[pathCol].Trim();
            if (path.Length == 0)
            {
                dropped.Add(new DroppedItem(where, $"CSV line {line}: empty path", DropCategory.BadCsvLine));
                continue;
            }
            string full;
            try { full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path)); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                dropped.Add(new DroppedItem(where, $"CSV line {line}: invalid path '{Excerpt.Of(path)}': {e.Message}", DropCategory.BadCsvLine));
                continue;
            }
            rows.Add(new CsvRow(line, full, fields[tagsCol]));
        }
        return new CsvContent(rows, dropped);
    }

    /// <summary>RFC 4180 records with the 1-based line each starts on.</summary>
    internal static List<(int Line, string[] Fields)> ParseCsv(string text, string source)
    {
        var records = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        bool any = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"' && field.Length == 0 && IsFieldStart(text, i))
            {
                int quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new CoalaException($"CSV line {quoteLine}: quoted field is never closed", source);
                    char q = text[i];
                    if (q == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (q == '\n') line++;
                    field.Append(q);
                    i++;
                }
                any = true;
                continue;
            }
            if (c == ',') { fields.Add(field.ToString()); field.Clear(); any = true; i++; continue; }
            if (c == '\r' || c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add((recordLine, fields.ToArray()));
                fields.Clear();
                any = false;
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                i++;
                line++;
                recordLine = line;
                continue;
            }
            field.Append(c);
            any = true;
            i++;
        }
        if (any || fields.Count > 0 || field.Length > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields.ToArray()));
        }
        return records;

        // A quote opens a quoted field only at the very start of a field (RFC 4180); elsewhere it is literal.
        bool IsFieldStart(string s, int at) => at == 0 || s[at - 1] is ',' or '\n' or '\r' || (at == 1 && s[0] == '\uFEFF');
    }
}
