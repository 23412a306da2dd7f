using System.CommandLine;
using System.CommandLine.Invocation;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// How every verb reports a problem: one plain line <c>coala VERB: MESSAGE</c> on stderr (no colour, no markup, no
/// wrapping, so a redirected log keeps paths whole and a grep for "coala embed:" finds them), and an exit code.
/// <para>
/// This is the CLI's one error handler. Verbs do not catch to print: a verb returns <see cref="Fail"/> for a check of
/// its own, and otherwise lets exceptions go. <see cref="Guard"/>, which <see cref="CommandRegistry"/> puts around every
/// verb's action, turns whatever escapes into the line and the exit code (<see cref="Describe"/>):
/// </para>
/// <list type="bullet">
/// <item><see cref="CoalaException"/> (bad audio, model, data or option; its message is written for the user and names
/// the file): the message, exit 1.</item>
/// <item><see cref="OperationCanceledException"/> (Ctrl+C): <c>interrupted</c> and the verb's resume hint if it has one,
/// exit 130.</item>
/// <item><see cref="ArgumentException"/> (a value the library rejected): its message without .NET's
/// <c>(Parameter 'name')</c>, exit 1.</item>
/// <item><see cref="IOException"/>, <see cref="UnauthorizedAccessException"/> (a path that cannot be read or written;
/// .NET's message names it): the message, exit 1.</item>
/// <item>Anything else is a bug: <c>unexpected TYPE: message</c> and a request to report it, on one line, exit 1; the
/// stack trace follows only when <see cref="DebugVariable"/> is 1.</item>
/// </list>
/// </summary>
internal static class CliError
{
    /// <summary>The exit code of a failed run.</summary>
    public const int Failed = 1;

    /// <summary>The exit code of a run stopped by Ctrl+C (128 + SIGINT, as a shell reports it).</summary>
    public const int Interrupted = 130;

    /// <summary>Set to 1 (or true) to have the full exception, stack trace included, printed after the error line.</summary>
    public const string DebugVariable = "COALA_DEBUG";

    /// <summary>
    /// The line, <c>coala VERB: message</c> (<c>coala: message</c> without a verb), with control characters in it (from
    /// file names) escaped so they cannot drive the terminal.
    /// </summary>
    public static string Line(string? verb, string message) => Printable.Escape($"{Who(verb)}: {message}");

    /// <summary>How the CLI names itself in a line: <c>coala</c> or <c>coala VERB</c>.</summary>
    public static string Who(string? verb) => verb is null ? "coala" : $"coala {verb}";

    /// <summary>Writes <see cref="Line"/> to stderr and returns 1.</summary>
    public static int Fail(string verb, string message)
    {
        Console.Error.WriteLine(Line(verb, message));
        return Failed;
    }

    /// <summary>
    /// Makes <paramref name="command"/>'s action report what it throws through <see cref="Report"/>: the one place
    /// where an exception becomes the printed line and the exit code.
    /// </summary>
    /// <param name="environment">Where <see cref="DebugVariable"/> is read.</param>
    /// <param name="resumeHint">What an interrupted run keeps and how to continue it, said after "interrupted".</param>
    public static Command Guard(Command command, Func<string, string?> environment, string? resumeHint = null)
    {
        command.Action = command.Action switch
        {
            SynchronousCommandLineAction action => new GuardedAction(command.Name, action, environment, resumeHint),
            AsynchronousCommandLineAction action => new GuardedAsyncAction(command.Name, action, environment, resumeHint),
            var none => none,
        };
        return command;
    }

    /// <summary>Writes the line for <paramref name="e"/> (and with <see cref="DebugVariable"/> set, the exception) to stderr; returns the exit code.</summary>
    public static int Report(string verb, Exception e, Func<string, string?> environment, string? resumeHint = null)
    {
        var (message, code) = Describe(e, resumeHint);
        Console.Error.WriteLine(Line(verb, message));
        if (environment(DebugVariable)?.Trim() is "1" or "true" or "TRUE" or "True")
            Console.Error.WriteLine(e);
        return code;
    }

    /// <summary>The message (one line before escaping) and exit code for an exception that ended a verb.</summary>
    public static (string Message, int Code) Describe(Exception e, string? resumeHint = null)
    {
        // Parallel.For hands back what a file's work threw inside an AggregateException.
        while (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return e switch
        {
            CoalaException => (e.Message, Failed),
            OperationCanceledException => (resumeHint is null ? "interrupted" : $"interrupted: {resumeHint}", Interrupted),
            ArgumentNullException => Unexpected(e),
            ArgumentException a => (Reason(a), Failed),
            IOException or UnauthorizedAccessException => (e.Message, Failed),
            _ => Unexpected(e),
        };
    }

    /// <summary>An <see cref="ArgumentException"/>'s message without what .NET adds to it ("(Parameter 'name')", "Actual value was ...").</summary>
    public static string Reason(ArgumentException e)
    {
        string m = e.Message;
        if (e.ParamName is { } name && m.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal) is var i and >= 0) m = m[..i];
        return m;
    }

    private static (string, int) Unexpected(Exception e) =>
        ($"unexpected {e.GetType().Name}: {e.Message} (a bug in coala; please report it with the command line that caused it; " +
         $"{DebugVariable}=1 prints the stack trace)", Failed);

    private sealed class GuardedAction(string verb, SynchronousCommandLineAction inner, Func<string, string?> environment, string? resumeHint)
        : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            try { return inner.Invoke(parseResult); }
            catch (Exception e) { return Report(verb, e, environment, resumeHint); }
        }
    }

    private sealed class GuardedAsyncAction(string verb, AsynchronousCommandLineAction inner, Func<string, string?> environment, string? resumeHint)
        : AsynchronousCommandLineAction
    {
        public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
        {
            try { return await inner.InvokeAsync(parseResult, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) { return Report(verb, e, environment, resumeHint); }
        }
    }
}
