using System.ComponentModel;

namespace Coala.ML.IO;

/// <summary>What a path names, as <c>stat</c> sees it.</summary>
/// <remarks>
/// Infrastructure shared by Coala.ML, Coala.ML.Training and the coala tool (public so that no package reaches into
/// another's internals); hidden from IntelliSense and not a supported API: it may change in any release.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum FileKind
{
    /// <summary>Nothing at the path.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A folder.</summary>
    Directory,
    /// <summary>A named pipe.</summary>
    Fifo,
    /// <summary>A character device (a terminal, /dev/null).</summary>
    CharacterDevice,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>A symbolic link (only when links are not followed, or a dangling one).</summary>
    SymbolicLink,
    /// <summary>Something else.</summary>
    Unknown,
}
