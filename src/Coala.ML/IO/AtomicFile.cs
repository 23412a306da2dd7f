using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Coala.ML.IO;

/// <summary>
/// The one way this repository writes an output file: whole or not at all, and never by replacing something that is
/// not a regular file.
/// <list type="bullet">
/// <item>A regular (or new) file is written to a temporary file with a random name in the target's folder, created
/// exclusively (<see cref="FileMode.CreateNew"/>: O_CREAT|O_EXCL, which never follows a planted link), and renamed over
/// the target by <see cref="Commit"/>; <see cref="Dispose"/> without a commit removes it.</item>
/// <item>A symbolic link is written through: its final target is replaced, the link stays.</item>
/// <item>A FIFO or character device (<c>/dev/stdout</c>, <c>/dev/null</c>) is streamed to directly, as a shell's
/// <c>&gt;</c> would: no temporary file, nothing replaced, and a failure leaves what was written.</item>
/// <item>A folder, block device or socket is refused.</item>
/// </list>
/// The temporary file exists from <see cref="Create"/> on, so an output that cannot be written fails before any work.
/// A process that calls <see cref="DeletePendingOnTermination"/> also removes pending temporary files on SIGINT,
/// SIGTERM, SIGHUP and SIGQUIT (SIGKILL cannot be caught: its temporary file, <c>.&lt;name&gt;.&lt;random&gt;.tmp</c>, stays).
/// </summary>
/// <remarks>
/// Infrastructure shared by Coala.ML, Coala.ML.Training and the coala tool (public so that no package reaches into
/// another's internals); hidden from IntelliSense and not a supported API: it may change in any release.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AtomicFile : IDisposable
{
    private static readonly HashSet<string> Pending = new(StringComparer.Ordinal);
    private static readonly List<PosixSignalRegistration> Registrations = [];

    private readonly string? _temp;
    private readonly string _what;
    private readonly bool _ownsStream;
    private bool _done;

    /// <summary>The path as given.</summary>
    public string Path { get; }
    /// <summary>The file that <see cref="Commit"/> replaces (the final target of a link), or the special file written to.</summary>
    public string TargetPath { get; }
    /// <summary>Whether the output is streamed to directly (FIFO, character device, standard output): no temporary file.</summary>
    public bool IsStreaming => _temp is null;
    /// <summary>The temporary file, or <c>null</c> when streaming.</summary>
    public string? TempPath => _temp;
    /// <summary>Where to write; readable and seekable unless <see cref="IsStreaming"/>.</summary>
    public Stream Stream { get; }

    private AtomicFile(string path, string target, string? temp, Stream stream, string what, bool ownsStream)
    {
        Path = path;
        TargetPath = target;
        _temp = temp;
        Stream = stream;
        _what = what;
        _ownsStream = ownsStream;
    }

    /// <summary>Opens <paramref name="path"/> for an all-or-nothing write (see the class remarks).</summary>
    /// <param name="path">the output; a relative path is taken from the working directory.</param>
    /// <param name="what">names the output in errors ("the model", "the checkpoint").</param>
    /// <exception cref="CoalaException">the output is a folder, block device or socket, or cannot be created.</exception>
    public static AtomicFile Create(string path, string what = "the output")
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            string full = System.IO.Path.GetFullPath(path);
            var status = FileStatus.Of(full);
            switch (status.Kind)
            {
                case FileKind.Directory:
                    throw new CoalaException($"cannot write {what}: it is a folder", path);
                case FileKind.BlockDevice or FileKind.Socket or FileKind.Unknown:
                    throw new CoalaException($"cannot write {what}: it is {FileStatus.Describe(status.Kind)}, not a regular file; refusing to write to it or replace it", path);
                case FileKind.Fifo or FileKind.CharacterDevice:
                    var special = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
                    return new AtomicFile(path, full, null, special, what, ownsStream: true);
            }
            string target = FinalTarget(full);
            string dir = System.IO.Path.GetDirectoryName(target) ?? ".";
            Directory.CreateDirectory(dir);
            for (int attempt = 0; ; attempt++)
            {
                string temp = System.IO.Path.Combine(dir, TempName(System.IO.Path.GetFileName(target)));
                FileStream stream;
                try { stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16); }
                catch (IOException) when (attempt < 8 && System.IO.Path.Exists(temp)) { continue; }
                lock (Pending) Pending.Add(temp);
                return new AtomicFile(path, target, temp, stream, what, ownsStream: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CoalaException($"cannot write {what}: {e.Message}", path, e);
        }
    }

    /// <summary>An output streamed to <paramref name="stream"/> (standard output for <c>-o -</c>); the stream stays open.</summary>
    public static AtomicFile ForStream(Stream stream, string name, string what = "the output") =>
        new(name, name, null, stream, what, ownsStream: false);

    /// <summary>Writes <paramref name="write"/>'s output to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write, string what = "the output", bool flushToDisk = false)
    {
        using var file = Create(path, what);
        try { write(file.Stream); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoalaException($"cannot write {what}: {e.Message}", path, e);
        }
        file.Commit(flushToDisk);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes, string what = "the output", bool flushToDisk = false) =>
        Write(path, s => s.Write(bytes), what, flushToDisk);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text, string what = "the output", bool flushToDisk = false) =>
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text), what, flushToDisk);

    /// <summary>Flushes (to disk when <paramref name="flushToDisk"/>) and renames the temporary file over the target.</summary>
    /// <exception cref="CoalaException">the file cannot be completed; the temporary file is removed.</exception>
    public void Commit(bool flushToDisk = false)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        try
        {
            // A writer may have closed the stream already (everything it wrote was flushed then).
            if (Stream is FileStream fs && fs.CanWrite) fs.Flush(flushToDisk && _temp is not null);
            else if (Stream.CanWrite) Stream.Flush();
            if (_ownsStream) Stream.Dispose();
            if (_temp is not null)
            {
                lock (Pending)
                {
                    if (!Pending.Contains(_temp))
                        throw new IOException("the temporary file was removed (the process is being terminated)");
                    File.Move(_temp, TargetPath, overwrite: true);
                    Pending.Remove(_temp);
                }
            }
            _done = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose();
            throw new CoalaException($"cannot write {_what}: {e.Message}", Path, e);
        }
    }

    /// <summary>Closes the output; without a <see cref="Commit"/>, removes the temporary file (the target is untouched).</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try { if (_ownsStream) Stream.Dispose(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the write failed anyway */ }
        if (_temp is null) return;
        lock (Pending)
        {
            Pending.Remove(_temp);
            TryDelete(_temp);
        }
    }

    /// <summary>
    /// Removes every pending temporary file when the process is told to stop (SIGINT, SIGTERM, SIGHUP, SIGQUIT); the
    /// signal's default action then goes on. For applications such as the <c>coala</c> CLI; a library host that
    /// handles those signals itself should not call it. Idempotent.
    /// </summary>
    public static void DeletePendingOnTermination()
    {
        if (OperatingSystem.IsBrowser() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS()) return;
        lock (Registrations)
        {
            if (Registrations.Count > 0) return;
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            {
                try { Registrations.Add(PosixSignalRegistration.Create(signal, _ => DeletePending())); }
                catch (PlatformNotSupportedException) { /* e.g. SIGHUP on Windows */ }
            }
        }
    }

    /// <summary>
    /// Removes every pending temporary file now (what the termination handler does), or only those in the folder
    /// <paramref name="folder"/> (a test's own, so that it does not fail other writes of the same process); returns how many.
    /// </summary>
    internal static int DeletePending(string? folder = null)
    {
        lock (Pending)
        {
            string? only = folder is null ? null : System.IO.Path.GetFullPath(folder);
            var chosen = Pending.Where(t => only is null || string.Equals(System.IO.Path.GetDirectoryName(t), only, StringComparison.Ordinal)).ToList();
            int n = 0;
            foreach (var t in chosen)
            {
                if (TryDelete(t)) n++;
                Pending.Remove(t);
            }
            return n;
        }
    }

    private static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The file a write to <paramref name="full"/> replaces: the final target of a (chain of) symbolic link(s).</summary>
    private static string FinalTarget(string full)
    {
        var info = new FileInfo(full);
        if (info.LinkTarget is null) return full;
        var target = info.ResolveLinkTarget(returnFinalTarget: true)
            ?? throw new IOException("the symbolic link has no target");
        if (target.Exists && FileStatus.Of(target.FullName).Kind != FileKind.Regular)
            throw new IOException($"the symbolic link points to {FileStatus.Describe(FileStatus.Of(target.FullName).Kind)}");
        return target.FullName;
    }

    /// <summary><c>.&lt;name&gt;.&lt;16 random hex&gt;.tmp</c>, the name shortened so that the whole stays within 255 bytes.</summary>
    private static string TempName(string name)
    {
        const int budget = 255 - 1 - 1 - 16 - 4;
        var utf8 = Encoding.UTF8;
        if (utf8.GetByteCount(name) > budget)
        {
            int len = name.Length;
            while (len > 0 && utf8.GetByteCount(name.AsSpan(0, len)) > budget) len--;
            if (len > 0 && char.IsHighSurrogate(name[len - 1])) len--;
            name = name[..len];
        }
        return $".{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
    }
}
