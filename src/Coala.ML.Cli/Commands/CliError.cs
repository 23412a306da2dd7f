namespace Coala.ML.Cli.Commands;

/// <summary>
/// How every verb reports a problem: one plain line <c>coala VERB: MESSAGE</c> on stderr (no colour, no markup, no
/// wrapping, so a redirected log keeps paths whole and a grep for "coala embed:" finds them), and exit code 1.
/// </summary>
internal static class CliError
{
    /// <summary>The line, with control characters in it (from file names) escaped so they cannot drive the terminal.</summary>
    public static string Line(string verb, string message) => Printable.Escape($"coala {verb}: {message}");

    /// <summary>Writes <see cref="Line"/> to stderr and returns 1.</summary>
    public static int Fail(string verb, string message)
    {
        Console.Error.WriteLine(Line(verb, message));
        return 1;
    }
}
