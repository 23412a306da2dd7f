// Where in a long recording does a sound like the query clip occur? Per-window embeddings (issue 20, part 1):
// the recording's windows (one patch, 2.23 s, every --hop seconds) against the query clip's pooled embedding,
// ranked by cosine. See samples/README.md.
//   dotnet run --project samples/FindInRecording -c Release -- --recording LONG.wav --query CLIP.wav [--hop 0.5] [--top 5] [--model FILE] [--expect SECONDS]
// --expect: a check for CI (exit 3 when the best window does not contain that time).
using System.Globalization;
using Coala.ML;
using Coala.ML.Samples;

try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine("usage: FindInRecording --recording FILE --query FILE [--hop SECONDS (default 0.5)] [--top N (default 5)] [--model FILE] [--expect SECONDS]");
        return 0;
    }
    string recording = SampleRun.Option(args, "--recording") ?? throw new ArgumentException("--recording FILE is required");
    string query = SampleRun.Option(args, "--query") ?? throw new ArgumentException("--query FILE is required");
    double hop = double.Parse(SampleRun.Option(args, "--hop") ?? "0.5", CultureInfo.InvariantCulture);
    int top = int.Parse(SampleRun.Option(args, "--top") ?? "5", CultureInfo.InvariantCulture);
    string? model = SampleRun.ModelPath(SampleRun.Option(args, "--model"));

    using var pooled = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model });
    using var perWindow = new CoalaEmbedder(new CoalaEmbedderOptions { ModelPath = model, Pooling = CoalaPooling.None });
    float[] q = pooled.EmbedFile(query);
    var windows = perWindow.EmbedFileWindows(recording, hop);
    var ranked = windows.Select(w => (w.StartSeconds, w.EndSeconds, Cosine: CoalaTagIndex.Cosine(q, w.Embedding)))
        .OrderByDescending(r => r.Cosine).ToList();

    Console.WriteLine($"{windows.Count} windows of {perWindow.WindowSeconds:0.00} s every {hop:0.###} s in {Path.GetFileName(recording)}; closest to {Path.GetFileName(query)}:");
    foreach (var (start, end, cosine) in ranked.Take(top))
        Console.WriteLine($"  {start,7:0.00} s - {end,7:0.00} s   cosine {cosine:0.000}");

    if (SampleRun.Option(args, "--expect") is { } e)
    {
        double at = double.Parse(e, CultureInfo.InvariantCulture);
        var best = ranked[0];
        if (at < best.StartSeconds || at > best.EndSeconds)
        {
            Console.Error.WriteLine($"error: the best window ({best.StartSeconds:0.00}-{best.EndSeconds:0.00} s) does not contain {at:0.00} s");
            return 3;
        }
    }
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or CoalaException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
