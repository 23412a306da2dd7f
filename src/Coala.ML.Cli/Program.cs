using System.CommandLine;
using Coala.ML.Cli.Commands;

// Each verb lives in Commands/<Verb>Command.cs with a static Create() returning its Command.
var root = new RootCommand("coala: COALA audio embeddings for .NET (embed, bench; prepare, train, export; evaluate, correlate; tags, search)");
foreach (var command in CommandRegistry.All())
    root.Subcommands.Add(command);
// Ctrl+C or a kill (not -9) removes the temporary file of an output being written.
Coala.ML.IO.AtomicFile.DeletePendingOnTermination();
return root.Parse(args, CommandRegistry.Parser).Invoke();
