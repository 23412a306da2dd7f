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

    /// <param name="environment">Environment variables as the verbs read them (embed --shard auto); the process's by default.</param>
    public static IEnumerable<Command> All(Func<string, string?>? environment = null)
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
