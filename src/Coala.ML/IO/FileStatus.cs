using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Coala.ML.IO;

/// <summary>
/// A path's kind and identity (device, inode), read with Linux <c>statx</c>. .NET reports neither the kind of a special
/// file nor an inode, and both matter to a CLI that must not read a FIFO, replace a device node or walk a symlink
/// loop. Elsewhere (macOS, Windows, or a libc without <c>statx</c>) the kind comes from .NET alone (regular, folder,
/// link or missing) and the identity is the fully resolved path.
/// </summary>
/// <remarks>
/// Infrastructure shared by Coala.ML, Coala.ML.Training and the coala tool (public so that no package reaches into
/// another's internals); hidden from IntelliSense and not a supported API: it may change in any release.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Length, string? ResolvedPath)
{
    /// <summary>Same file or folder (same device and inode; same resolved path where no inode is known).</summary>
    public bool SameAs(FileStatus other) =>
        Kind != FileKind.Missing && other.Kind != FileKind.Missing &&
        (Inode != 0 || other.Inode != 0
            ? Device == other.Device && Inode == other.Inode
            : ResolvedPath is not null && string.Equals(ResolvedPath, other.ResolvedPath, StringComparison.Ordinal));

    /// <summary>How the kind reads in a message ("a named pipe (FIFO)").</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>The status of <paramref name="path"/>, following symbolic links unless <paramref name="followLinks"/> is false.</summary>
    public static FileStatus Of(string path, bool followLinks = true)
    {
        if (OperatingSystem.IsLinux() && StatX.Available)
        {
            var s = StatX.Get(path, followLinks);
            if (s is { } st) return st;
            // statx failed: missing, a dangling link, or no permission on a folder above; .NET tells them apart below.
            if (!Path.Exists(path) && (!followLinks || new FileInfo(path).LinkTarget is null)) return new(FileKind.Missing, 0, 0, 0, null);
        }
        return Managed(path, followLinks);
    }

    private static FileStatus Managed(string path, bool followLinks)
    {
        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                if (!followLinks) return new(FileKind.SymbolicLink, 0, 0, 0, null);
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !target.Exists) return new(FileKind.Missing, 0, 0, 0, null);
                info = target;
            }
            if (!info.Exists) return new(FileKind.Missing, 0, 0, 0, null);
            string resolved = Path.GetFullPath(info.FullName);
            return info is DirectoryInfo
                ? new(FileKind.Directory, 0, 0, 0, resolved)
                : new(FileKind.Regular, 0, 0, ((FileInfo)info).Length, resolved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new(FileKind.Missing, 0, 0, 0, null);
        }
    }

    /// <summary>glibc/musl <c>statx(2)</c>: one struct layout on every Linux architecture.</summary>
    private static class StatX
    {
        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint MaskBasic = 0x7ff;

        [StructLayout(LayoutKind.Sequential)]
        private struct Buffer
        {
            public uint Mask, BlockSize;
            public ulong Attributes;
            public uint Links, Uid, Gid;
            public ushort Mode, Pad0;
            public ulong Inode, Size, Blocks, AttributesMask;
            public long ATime, ATimeNs, BTime, BTimeNs, CTime, CTimeNs, MTime, MTimeNs;
            public uint RDevMajor, RDevMinor, DevMajor, DevMinor;
            public ulong Spare0, Spare1, Spare2, Spare3, Spare4, Spare5, Spare6, Spare7, Spare8, Spare9, Spare10, Spare11, Spare12, Spare13;
        }

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Native(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Buffer buffer);

        public static readonly bool Available = Probe();

        private static bool Probe()
        {
            try { return Native(AtFdCwd, "/", 0, MaskBasic, out _) == 0; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
        }

        public static FileStatus? Get(string path, bool followLinks)
        {
            if (path.Length == 0 || path.Contains('\0')) return null;
            if (Native(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, MaskBasic, out var b) != 0) return null;
            var kind = (b.Mode & 0xF000) switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0xC000 => FileKind.Socket,
                0xA000 => FileKind.SymbolicLink,
                _ => FileKind.Unknown,
            };
            ulong dev = ((ulong)b.DevMajor << 32) | b.DevMinor;
            return new FileStatus(kind, dev, b.Inode, (long)b.Size, null);
        }
    }
}
