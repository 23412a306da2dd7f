namespace Coala.ML.IO;

/// <summary>What a path names, as <c>stat</c> sees it.</summary>
public enum FileKind { Missing, Regular, Directory, Fifo, CharacterDevice, BlockDevice, Socket, SymbolicLink, Unknown }
