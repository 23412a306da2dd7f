using System.CommandLine;

namespace Coala.ML.Cli.Commands;

/// <summary>The CLI's verbs, in help order. Add a verb by adding its Create() here.</summary>
internal static class CommandRegistry
{
    /// <summary>
    /// How the CLI parses: response files off, so a file named <c>@args</c> among the inputs (from a shell glob) is a
    /// file name, not a list of options to read.
    /// </summary>
    public static ParserConfiguration Parser => new() { ResponseFileTokenReplacer = null };

    /// <summary>
    /// The verbs, each with its action guarded by <see cref="CliError.Guard"/>: what a verb throws is printed and given
    /// an exit code there, in one style, so verbs do not catch to print.
    /// </summary>
    /// <param name="environment">Environment variables as the verbs read them (embed --shard auto, COALA_DEBUG); the process's by default.</param>
    public static IEnumerable<Command> All(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var c in Verbs(environment))
            yield return CliError.Guard(c, environment, c.Name switch
            {
                "prepare" => PrepareCommand.ResumeHint,
                "train" => TrainCommand.ResumeHint,
                _ => null,
            });
    }

    /// <summary>
    /// Parses and runs a command line: what <c>Program</c> does, and what the tests run in-process. A command line that
    /// does not parse (a missing or unknown option, a bad value) is reported in the CLI's one style, a line
    /// <c>coala VERB: message</c> per problem and a pointer to <c>--help</c>, exit 1, instead of the parser's own
    /// message followed by the whole help text.
    /// </summary>
    public static int Run(string[] args, Func<string, string?>? environment = null)
    {
        var root = new RootCommand("coala: COALA audio embeddings for .NET (embed, bench; prepare, train, export; evaluate, correlate; tags, search)");
        foreach (var command in All(environment))
            root.Subcommands.Add(command);
        var parsed = root.Parse(args, Parser);
        if (parsed.Errors.Count == 0) return parsed.Invoke();
        string? verb = parsed.CommandResult.Command is RootCommand ? null : parsed.CommandResult.Command.Name;
        foreach (var error in parsed.Errors)
            Console.Error.WriteLine(CliError.Line(verb, error.Message));
        Console.Error.WriteLine(CliError.Line(verb, $"see '{CliError.Who(verb)} --help'"));
        return 1;
    }

    private static IEnumerable<Command> Verbs(Func<string, string?> environment)
    {
        yield return EmbedCommand.Create(environment);
        yield return BenchCommand.Create();
        yield return PrepareCommand.Create();
        yield return TrainCommand.Create();
        yield return ExportCommand.Create();
        yield return ImportReferenceCommand.Create();
        yield return QuantizeCommand.Create();
        yield return EvaluateCommand.Create();
        yield return CorrelateCommand.Create();
        foreach (var c in TagCommands.Create()) yield return c;
        yield return VersionCommand.Create();
    }
}

internal static class VersionCommand
{
    public static Command Create()
    {
        var c = new Command("version", "Print the Coala.ML version.");
        c.SetAction(_ => { Console.WriteLine(typeof(CoalaException).Assembly.GetName().Version); return 0; });
        return c;
    }
}
