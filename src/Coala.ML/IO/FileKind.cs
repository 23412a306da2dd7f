using System.ComponentModel;

namespace Coala.ML.IO;

/// <summary>What a path names, as <c>stat</c> sees it.</summary>
/// <remarks>
/// Infrastructure shared by Coala.ML, Coala.ML.Training and the coala tool (public so that no package reaches into
/// another's internals); hidden from IntelliSense and not a supported API: it may change in any release.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum FileKind { Missing, Regular, Directory, Fifo, CharacterDevice, BlockDevice, Socket, SymbolicLink, Unknown }
