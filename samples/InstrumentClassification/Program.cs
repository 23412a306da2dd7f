// Instrument-family classification with COALA embeddings and ML.NET (see samples/README.md).
//   dotnet run --project samples/InstrumentClassification -c Release -- --train DIR --test DIR [--output DIR] [--model FILE] [--min-accuracy F] [--max-per-class N]
// DIR: one sub-folder per family (e.g. the soundfont renders of scripts/eval-data/render-instruments.sh:
// fluidr3 = train, timgm6mb = test; or NSynth sorted into family folders).
using Coala.ML.Samples;

try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine("usage: InstrumentClassification --train DIR --test DIR [--output DIR (also --out; default: output)] [--model FILE (default: $COALA_MODEL, else the installed default)] [--min-accuracy F] [--max-per-class N]");
        return 0;
    }
    string trainDir = SampleRun.Option(args, "--train") ?? throw new ArgumentException("--train DIR is required (one sub-folder per family)");
    string testDir = SampleRun.Option(args, "--test") ?? throw new ArgumentException("--test DIR is required (one sub-folder per family)");
    int? max = SampleRun.Option(args, "--max-per-class") is { } m ? int.Parse(m) : null;
    var train = AudioFolders.Load(trainDir, max);
    var test = AudioFolders.Load(testDir, max);
    var result = SampleRun.Run("instrument", "Instrument family", train, test,
        SampleRun.ModelPath(SampleRun.Option(args, "--model")), SampleRun.Option(args, "--output") ?? SampleRun.Option(args, "--out") ?? "output", Console.Out);
    // --min-accuracy: a floor for CI (exit code 3 below it).
    if (SampleRun.Option(args, "--min-accuracy") is { } floor && result.Accuracy < double.Parse(floor, System.Globalization.CultureInfo.InvariantCulture))
    {
        Console.Error.WriteLine($"error: accuracy {result.Accuracy:P1} is below --min-accuracy {floor}");
        return 3;
    }
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or Coala.ML.CoalaException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
