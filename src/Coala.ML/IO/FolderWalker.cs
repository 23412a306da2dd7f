using System.ComponentModel;

namespace Coala.ML.IO;

/// <summary>
/// Lists the files of a folder tree that a command may read: only regular files (a FIFO would block, a device never
/// end), each real folder once however many links lead to it (a symbolic link loop is walked once and noted, where
/// .NET's recursive enumeration follows it until the path is too long, or forever with two loops), breadth first so
/// that of two ways to one folder the shallower is kept.
/// </summary>
/// <remarks>
/// Infrastructure shared by Coala.ML, Coala.ML.Training and the coala tool (public so that no package reaches into
/// another's internals); hidden from IntelliSense and not a supported API: it may change in any release.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FolderWalker
{
    /// <summary>What a name that .NET cannot open (not UTF-8) or cannot find is reported as.</summary>
    public static string NotFound(string path) => path.Contains('\uFFFD')
        ? "the file name is not valid UTF-8 (shown with U+FFFD), and .NET opens files only by UTF-8 names; rename it"
        : "no such file or folder";

    /// <summary>
    /// The regular files under <paramref name="root"/> whose path <paramref name="wanted"/> accepts, in ordinal order.
    /// Wanted entries that are not regular files, and folders that cannot be read, go to <paramref name="failures"/>;
    /// folders skipped as already walked go to <paramref name="notes"/>. With <paramref name="skipHidden"/>, files and
    /// folders whose name starts with '.' are left out.
    /// </summary>
    public static List<string> Files(string root, bool recursive, Func<string, bool> wanted,
        List<(string Path, string Error)> failures, List<(string Path, string Note)>? notes = null, bool skipHidden = false)
    {
        var found = new List<string>();
        // Identity: device and inode (the resolved path where the platform gives no inode).
        var visited = new Dictionary<(ulong, ulong, string?), string>();
        var pending = new Queue<string>();
        pending.Enqueue(root);
        while (pending.Count > 0)
        {
            string dir = pending.Dequeue();
            var id = FileStatus.Of(dir);
            if (!visited.TryAdd((id.Device, id.Inode, id.ResolvedPath), dir))
            {
                notes?.Add((dir, $"skipped: the same folder as {visited[(id.Device, id.Inode, id.ResolvedPath)]} (a symbolic link loop or a second link to it)"));
                continue;
            }
            List<string> entries;
            try { entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add((dir, $"cannot read the folder: {e.Message}"));
                continue;
            }
            foreach (var entry in entries)
            {
                if (skipHidden && Path.GetFileName(entry).StartsWith('.')) continue;
                var kind = FileStatus.Of(entry).Kind;
                if (kind == FileKind.Directory) { if (recursive) pending.Enqueue(entry); }
                else if (!wanted(entry)) continue;
                else if (kind == FileKind.Regular) found.Add(entry);
                else if (kind == FileKind.Missing)
                    failures.Add((entry, entry.Contains('\uFFFD') ? NotFound(entry) : "a broken symbolic link"));
                else failures.Add((entry, $"skipped: {FileStatus.Describe(kind)}, not a regular file"));
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
