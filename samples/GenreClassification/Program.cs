// Music-genre classification with COALA embeddings and ML.NET, GTZAN layout (see samples/README.md).
//   dotnet run --project samples/GenreClassification -c Release -- --data DIR [--output DIR] [--model FILE] [--min-accuracy F]
// DIR/<genre>/*.wav, split by DIR/train.txt and DIR/test.txt ("<genre>/<file>" lines) when both exist,
// else every 4th file of each genre is a test file. The data of scripts/eval-data/render-genres.sh is SYNTHETIC
// (a smoke test, not a genre benchmark); its folder holds a file named SYNTHETIC, and the output says so.
using Coala.ML.Samples;

try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine("usage: GenreClassification --data DIR [--output DIR (also --out; default: output)] [--model FILE (default: $COALA_MODEL, else the installed default)] [--min-accuracy F]");
        return 0;
    }
    string dataDir = SampleRun.Option(args, "--data") ?? throw new ArgumentException("--data DIR is required (GTZAN layout: one sub-folder per genre)");
    bool synthetic = File.Exists(Path.Combine(dataDir, "SYNTHETIC"));
    if (synthetic) Console.WriteLine("SYNTHETIC data (scripts/eval-data/render-genres.sh): a smoke test, not a genre benchmark");
    var (train, test) = AudioFolders.LoadSplit(dataDir);
    var result = SampleRun.Run("genre", synthetic ? "SYNTHETIC genre" : "Genre", train, test,
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
