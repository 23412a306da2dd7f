using System.Runtime.InteropServices;

namespace Coala.ML.Tests.TestSupport;

/// <summary>libc calls the hostile-input tests need and .NET lacks: FIFOs and file names that are not UTF-8 (no root needed).</summary>
internal static class Posix
{
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", EntryPoint = "creat", SetLastError = true)]
    private static extern int Creat(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>Creates a named pipe at <paramref name="path"/>.</summary>
    public static string MakeFifo(string path)
    {
        if (MkFifo(path, Convert.ToUInt32("644", 8)) != 0)
            throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
        return path;
    }

    /// <summary>Creates an empty file whose name is <paramref name="name"/>'s raw bytes (any bytes, e.g. invalid UTF-8) in <paramref name="dir"/>.</summary>
    public static void CreateRawName(string dir, byte[] name)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(dir + "/").Concat(name).Append((byte)0).ToArray();
        int fd = Creat(path, Convert.ToUInt32("644", 8));
        if (fd < 0) throw new IOException($"creat: errno {Marshal.GetLastPInvokeError()}");
        Close(fd);
    }

    /// <summary>Runs <paramref name="action"/> on a worker thread; a hang fails the test after <paramref name="seconds"/> instead of hanging it.</summary>
    public static T WithTimeout<T>(Func<T> action, int seconds = 60)
    {
        var task = Task.Factory.StartNew(action, TaskCreationOptions.LongRunning);
        if (!task.Wait(TimeSpan.FromSeconds(seconds)))
            throw new TimeoutException($"did not finish within {seconds} s (hung)");
        return task.Result;
    }
}
