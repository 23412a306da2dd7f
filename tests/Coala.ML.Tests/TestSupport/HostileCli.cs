namespace Coala.ML.Tests.TestSupport;

/// <summary>
/// What the hostile-input and hostile-output CLI tests (issue 18) share: a temporary folder with a short WAV in it,
/// <c>coala embed</c> with the random test model, in-process runs of the CLI that fail instead of hanging, and a
/// check of what the CLI said on stderr. Tests using it belong to the "Console" collection (<see cref="CliRunner"/>).
/// </summary>
internal static class HostileCli
{
    /// <summary>Runs the CLI in-process (<see cref="CliRunner.Run"/>); a hang fails the test after 60 s.</summary>
    public static (int Code, string Stdout, string Stderr) RunCli(params string[] args) =>
        Posix.WithTimeout(() => CliRunner.Run(args));

    /// <summary>
    /// <c>coala embed <paramref name="input"/> -o <paramref name="output"/> --model</c> the random test model, then
    /// <paramref name="options"/>.
    /// </summary>
    public static (int Code, string Stdout, string Stderr) Embed(string input, string output, params string[] options) =>
        RunCli(["embed", input, "-o", output, "--model", TestAssets.RandomModel(), .. options]);

    /// <summary>A new temporary folder (named after <paramref name="name"/>) holding the test WAV <c>a.wav</c>.</summary>
    public static (string Dir, string Wav) FolderWithWav(string name)
    {
        var dir = TestAssets.TempDir(name);
        return (dir, Wav(dir));
    }

    /// <summary>Writes a 1 s test signal at 22 000 Hz as <paramref name="name"/> in <paramref name="dir"/>.</summary>
    public static string Wav(string dir, string name = "a.wav", int seed = 1) =>
        TestAssets.WriteWav(Path.Combine(dir, name), TestAssets.Signal(1.0, 22000, seed), 22000);

    /// <summary>
    /// Asserts that <paramref name="stderr"/> contains <paramref name="expected"/>. The console wraps long lines: both
    /// are compared with line breaks and runs of spaces as one space.
    /// </summary>
    public static void Says(string expected, string stderr) =>
        Assert.True(Flat(stderr).Contains(Flat(expected), StringComparison.Ordinal), $"expected \"{expected}\" in:\n{stderr}");

    private static string Flat(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"\s+", " ");
}
