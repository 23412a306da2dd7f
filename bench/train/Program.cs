// AE-C training steps (forward, 5 KL + 5 BCE + 10 NT-Xent, backward, SGD) on random data, CPU; prints patches/s as JSON.
//   dotnet run -c Release --project bench/train -- [--threads 2] [--batch 128] [--steps 6] [--warmup 2] [--bf16] [--two-views]
// --bf16: networks and data in bfloat16 (TorchSharp 0.107 has no autocast; this bounds what mixed precision could
// gain on a CPU with AVX512-BF16). --two-views: the audio-to-audio contrast term (a second encoder pass).
using Coala.ML.Training.Losses;
using System.Diagnostics;
using System.Globalization;
using Coala.ML.Training.Networks;
using Coala.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

int Arg(string name, int dflt)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : dflt;
}
bool bf16 = args.Contains("--bf16"), twoViews = args.Contains("--two-views");
int threads = Arg("--threads", 2), batch = Arg("--batch", 128), steps = Arg("--steps", 6), warmup = Arg("--warmup", 2);

set_num_threads(threads);
manual_seed(0);
using var nets = new CoalaNetworks(CoalaVariant.AeC, 1000);
var config = new RunConfig { Variant = "aec", VocabularySize = 1000, AudioLossWeight = 5, TagLossWeight = 5, ContrastiveLossWeight = 10, Temperature = 0.1,
    AudioContrastWeight = twoViews ? 1 : 0 };
var dtype = bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
foreach (var (_, m) in nets.Parts) m.to(dtype);
using var opt = optim.SGD(nets.Parameters(), 0.005);
using var x = rand(batch, 1, 96, 96).to_type(dtype);
using var x2 = rand(batch, 1, 96, 96).to_type(dtype);
using var tags = (rand(batch, 1000) < 0.01).to_type(dtype);
nets.Train(true);
var sw = new Stopwatch();
for (int s = 0; s < warmup + steps; s++)
{
    if (s == warmup) sw.Start();
    using var scope = NewDisposeScope();
    var l = VariantLosses.Compute(nets, config, x, tags, twoViews ? x2 : null);
    opt.zero_grad();
    l.Objective.backward();
    opt.step();
    l.Objective.to_type(ScalarType.Float32).item<float>();
}
double secs = sw.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"impl\": \"torchsharp-0.107\", \"dtype\": \"{(bf16 ? "bf16" : "fp32")}\", \"two_views\": {(twoViews ? "true" : "false")}, \"threads\": {threads}, \"batch\": {batch}, \"steps\": {steps}, \"seconds\": {secs:F3}, \"patches_per_s\": {steps * batch / secs:F2}, \"tcmalloc\": {(Environment.GetEnvironmentVariable("LD_PRELOAD")?.Contains("tcmalloc") == true ? "true" : "false")}}}"));
