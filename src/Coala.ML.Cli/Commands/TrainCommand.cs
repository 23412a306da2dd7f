using System.CommandLine;
using Coala.ML.Training;

namespace Coala.ML.Cli.Commands;

/// <summary><c>coala train</c>: train AE-C, E-C or the CNN baseline on a prepared corpus, resumable.</summary>
internal static class TrainCommand
{
    /// <summary>What a run stopped by Ctrl+C keeps and how to continue it.</summary>
    internal const string ResumeHint = "the last complete epoch's checkpoint is kept (continue with --resume)";

    public static Command Create()
    {
        var data = new Option<FileSystemInfo>("--data")
        {
            Description = "Prepared corpus folder (output of `coala prepare`), or the reference's released HDF5 training file " +
                          "(xavierfav/coala hdf5_ds/spec_tags_top_1000; its _val file beside it).",
            Required = true,
        };
        var scalerFile = new Option<FileInfo?>("--scaler") { Description = "With HDF5 --data: the reference's scaler_top_1000.pkl (default: looked for beside the data and one folder up)." };
        var vocabularyFile = new Option<FileInfo?>("--vocabulary") { Description = "With HDF5 --data: json/id2token_top_1000.json (default: looked for beside the data and one folder up)." };
        var variant = new Option<string?>("--variant") { Description = "aec (default for a new run), ec or cnn. On --resume: the checkpoint's." };
        var output = new Option<DirectoryInfo>("--output", "--out", "-o") { Description = "Run folder: checkpoint, CSV log, plots.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Total epochs (on --resume, train up to this epoch).", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch-size") { Description = "Patches per batch.", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (peak rate with --warmup-steps).", DefaultValueFactory = _ => 0.005 };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant (the paper's) or cosine (from --lr down to 0 over --epochs).", DefaultValueFactory = _ => "constant" };
        var dropout = new Option<double>("--dropout") { Description = "Dropout probability.", DefaultValueFactory = _ => 0.25 };
        var temperature = new Option<double>("--temperature") { Description = "Contrastive temperature.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, shuffling and dropout.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0: its default).", DefaultValueFactory = _ => 0 };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last complete checkpoint (its variant and hyper-parameters; only --epochs, --threads, --device and --no-plots apply)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Do not write PNG plots." };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (the paper's, no momentum) or adamw.", DefaultValueFactory = _ => "sgd" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW's decoupled weight decay.", DefaultValueFactory = _ => 0.01 };
        var warmup = new Option<int>("--warmup-steps") { Description = "Optimizer steps of linear learning-rate warm-up from 0.", DefaultValueFactory = _ => 0 };
        var priorInit = new Option<bool>("--prior-init") { Description = "Start the tag outputs' bias at logit(tag frequency) (AE-C tag decoder, CNN head)." };
        var augment = new Option<bool>("--augment") { Description = "Fresh views every step: random gain, time shift, frequency and time masks." };
        var audioContrast = new Option<double>("--audio-contrast") { Description = "Weight of an extra NT-Xent between two augmented views of each patch (aec, ec; 0: off).", DefaultValueFactory = _ => 0 };

        var c = new Command("train", "Train a COALA variant (AE-C, E-C, CNN) with TorchSharp; stop with Ctrl+C and continue with --resume.");
        foreach (var o in new Option[] { data, scalerFile, vocabularyFile, variant, output, epochs, batch, lr, schedule, optimizer, weightDecay, warmup, priorInit, augment, audioContrast,
                                       dropout, temperature, seed, threads, device, resume, noPlots })
            c.Options.Add(o);
        c.SetAction(parse =>
        {
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                Console.Error.WriteLine();   // end the progress line
                Console.Error.WriteLine(CliError.Line("train", $"stopping after the current batch; {ResumeHint}"));
                cts.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            bool finished = false;
            try
            {
                var v = parse.GetValue(variant);
                var options = new TrainingOptions
                {
                    Variant = v is null ? null : CoalaVariants.Parse(v),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    LearningRateSchedule = Choice<LearningRateSchedule>("--lr-schedule", parse.GetValue(schedule)!),
                    Dropout = parse.GetValue(dropout),
                    Temperature = parse.GetValue(temperature),
                    Seed = parse.GetValue(seed),
                    Threads = parse.GetValue(threads),
                    Device = parse.GetValue(device),
                    Resume = parse.GetValue(resume),
                    Plots = !parse.GetValue(noPlots),
                    Optimizer = Choice<TrainingOptimizer>("--optimizer", parse.GetValue(optimizer)!),
                    WeightDecay = parse.GetValue(weightDecay),
                    WarmupSteps = parse.GetValue(warmup),
                    PriorInit = parse.GetValue(priorInit),
                    Augment = parse.GetValue(augment),
                    AudioContrastWeight = parse.GetValue(audioContrast),
                };
                options.Validate();
                string dataPath = parse.GetValue(data)!.FullName;
                TrainingCorpus corpus;
                if (File.Exists(dataPath))
                {
                    corpus = ReferenceTrainingData.Open(dataPath, parse.GetValue(scalerFile)?.FullName, parse.GetValue(vocabularyFile)?.FullName);
                    Console.Error.WriteLine($"reference HDF5: {corpus.TrainingCount} training and {corpus.ValidationCount} validation patches, {corpus.Vocabulary.Count} tags");
                }
                else
                {
                    if (parse.GetValue(scalerFile) is not null || parse.GetValue(vocabularyFile) is not null)
                        throw new CoalaException("--scaler and --vocabulary go with an HDF5 --data file; a prepared corpus carries its own");
                    corpus = PreparedCorpus.Open(dataPath);
                }
                TrainingResult result;
                using (corpus)
                    result = new CoalaTrainer(corpus, parse.GetValue(output)!.FullName, options, Console.Error)
                    { LiveProgress = !Console.IsErrorRedirected }.Run(cts.Token);
                Console.WriteLine($"{result.EpochsCompleted} epochs ({result.Steps} optimizer steps) complete; checkpoint {result.CheckpointPath}");
                finished = true;
                return cts.IsCancellationRequested ? CliError.Interrupted : 0;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                if (!finished) Console.Error.WriteLine(); // ends a live progress line, so the error (CliError) has a line of its own
            }
        });
        return c;
    }

    /// <summary>An enum option's value by name, any case (sgd, adamw; constant, cosine); anything else is an error naming the choices.</summary>
    private static T Choice<T>(string option, string value) where T : struct, Enum =>
        Enum.TryParse<T>(value.Trim(), ignoreCase: true, out var v) && Enum.IsDefined(v) && !value.Trim().All(char.IsAsciiDigit)
            ? v
            : throw new CoalaException($"invalid training option: {option} {value} (expected {string.Join(" or ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))})");
}
