// Consumer of the freshly packed Coala.ML package, built by .ci/package-test.sh in a temp folder outside the
// solution. Exit code 0 only when the default model shipped with the package embeds audio offline.
// Arguments: the local feed folder (to check the packages' contents), then optional extra WAV files to embed;
// or --no-native, for the build of this app without a native ONNX Runtime package.
using System.IO.Compression;
using Coala.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

int failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    if (!ok) failures++;
}

// "--no-native": the app references Coala.ML alone (no native ONNX Runtime); both entry points must say what to add.
if (args[0] == "--no-native")
{
    static string Error(Action a)
    {
        try { a(); return "no error"; }
        catch (CoalaException e) { return e.Message; }
        catch (Exception e) { return $"{e.GetType().Name} (not a CoalaException): {e.Message}"; }
    }
    var ml0 = new MLContext();
    foreach (var (what, message) in new[]
             {
                 ("CoalaEmbedder()", Error(() => new CoalaEmbedder().Dispose())),
                 ("CoalaEmbed(...)", Error(() => ml0.Transforms.CoalaEmbed("Embedding", "Audio"))),
             })
        Check(message.Contains("Microsoft.ML.OnnxRuntime (CPU)") && message.Contains("coala-ec.onnx"),
              $"without a native ONNX Runtime, {what} is a CoalaException naming the package to add: {message}");
    Console.WriteLine(failures == 0 ? "consumer (no native runtime): all checks passed" : $"consumer: {failures} checks failed");
    return failures == 0 ? 0 : 1;
}

var feed = args[0];
var work = Path.Combine(Path.GetTempPath(), "coala-consumer-" + Environment.ProcessId);
Directory.CreateDirectory(work);

// A 3 s, 16-bit mono WAV at 16 kHz (a chirp plus a tone), written by hand: nothing outside .NET is needed.
var wav = Path.Combine(work, "chirp.wav");
{
    const int rate = 16000;
    int n = 3 * rate;
    using var w = new BinaryWriter(File.Create(wav));
    w.Write("RIFF"u8); w.Write(36 + 2 * n); w.Write("WAVE"u8);
    w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(2 * rate);
    w.Write((short)2); w.Write((short)16);
    w.Write("data"u8); w.Write(2 * n);
    for (int i = 0; i < n; i++)
    {
        double t = (double)i / rate;
        double x = 0.4 * Math.Sin(2 * Math.PI * (200 * t + 300 * t * t)) + 0.2 * Math.Sin(2 * Math.PI * 440 * t);
        w.Write((short)Math.Round(x * 32767));
    }
}

// The README's three lines: the default model, no path.
using var e = new CoalaEmbedder();
var v = e.EmbedFile(wav);
Console.WriteLine(v.Length);
Check(v.Length == 1152, "CoalaEmbedder() embeds a WAV into 1152 values");
Check(v.All(float.IsFinite) && v.Max() - v.Min() > 1e-4f, "the values are finite and not constant");

foreach (var extra in args.Skip(1).Where(File.Exists))
{
    var u = e.EmbedFile(extra);
    Check(u.Length == 1152 && u.All(float.IsFinite), $"embeds {Path.GetFileName(extra)}");
}

// One ML.NET line, also with the default model.
var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(new[] { new Row { Audio = wav } });
var m = ml.Transforms.CoalaEmbed("Embedding", "Audio").Fit(data).Transform(data).GetColumn<float[]>("Embedding").Single();
Check(m.Length == 1152 && m.Zip(v).Max(p => Math.Abs(p.First - p.Second)) < 1e-5f, "CoalaEmbed gives the same vector in ML.NET");

Check(File.Exists(Path.Combine(AppContext.BaseDirectory, "CoalaModels", "coala-ec.onnx")), "CoalaModels/coala-ec.onnx is beside the application");

// What the two packages carry.
static string[] Entries(string nupkg)
{
    using var z = ZipFile.OpenRead(nupkg);
    return z.Entries.Select(x => x.FullName).ToArray();
}
string? Package(string id) => Directory.GetFiles(feed, id + ".*.nupkg")
    .SingleOrDefault(f => Path.GetFileName(f).Length > id.Length + 1 && char.IsDigit(Path.GetFileName(f)[id.Length + 1]));
var lib = Package("Coala.ML");
var libEntries = lib is null ? [] : Entries(lib);
foreach (var need in new[] { "lib/net10.0/Coala.ML.dll", "lib/net10.0/Coala.ML.xml", "models/coala-ec.onnx",
                             "build/Coala.ML.props", "buildTransitive/Coala.ML.props", "PACKAGE.md", "Coala.ML.nuspec" })
    Check(libEntries.Contains(need), $"Coala.ML package holds {need}");
var training = Package("Coala.ML.Training");
var trainingEntries = training is null ? [] : Entries(training);
foreach (var need in new[] { "lib/net10.0/Coala.ML.Training.dll", "build/Coala.ML.Training.targets",
                             "buildTransitive/Coala.ML.Training.targets", "PACKAGE.md" })
    Check(trainingEntries.Contains(need), $"Coala.ML.Training package holds {need}");
Check(!trainingEntries.Any(x => x.EndsWith(".onnx")), "Coala.ML.Training package does not duplicate the model");
Check(Directory.GetFiles(feed, "*.snupkg").Length == 2, "both symbol packages (snupkg) are there");

Directory.Delete(work, recursive: true);
Console.WriteLine(failures == 0 ? "consumer: all checks passed" : $"consumer: {failures} checks failed");
return failures == 0 ? 0 : 1;

sealed class Row { public string Audio { get; set; } = ""; }
