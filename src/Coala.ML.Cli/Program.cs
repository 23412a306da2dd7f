using Coala.ML.Cli.Commands;

// Each verb lives in Commands/<Verb>Command.cs with a static Create() returning its Command; CommandRegistry lists them.
// Ctrl+C or a kill (not -9) removes the temporary file of an output being written.
Coala.ML.IO.AtomicFile.DeletePendingOnTermination();
return CommandRegistry.Run(args);
