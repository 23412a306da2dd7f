using Coala.ML.Cli.Commands;

namespace Coala.ML.Tests.TestSupport;

/// <summary>Runs the <c>coala</c> CLI in-process, capturing its stdout and stderr (tests using it belong to the "Console" collection).</summary>
internal static class CliRunner
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => RunWithEnvironment(new Dictionary<string, string>(), args);

    /// <summary>Runs the CLI with <paramref name="environment"/> as the only environment variables the verbs see (the process's are not touched).</summary>
    public static (int Code, string Stdout, string Stderr) RunWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var err = new StringWriter();
        var outw = new StringWriter();
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(outw);
        try
        {
            int code = CommandRegistry.Run(args, name => environment.GetValueOrDefault(name));
            return (code, outw.ToString(), err.ToString());
        }
        finally { Console.SetError(oldErr); Console.SetOut(oldOut); }
    }
}
