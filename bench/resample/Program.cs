using System.Diagnostics;
using Coala.ML.Audio;
using ResampleBench;

// Scratch bench (not a test). Usage:
//   dotnet run -c Release -- speed [legacy|new]      x real time per rate pair, best of several runs
//   dotnet run -c Release -- quality [legacy|new]    passband / stopband / imaging figures
//   dotnet run -c Release -- sweep zc rolloff beta   quality of another kernel design (44.1 kHz -> 22 kHz)
string mode = args.Length > 0 ? args[0] : "speed";
string which = args.Length > 1 ? args[1] : "new";
int[] froms = [44100, 48000, 16000, 8000, 96000, 192000];
const int To = 22000;

Func<float[], int, int, float[]> resample = which == "legacy"
    ? (x, f, t) => LegacyResampler.Resample(x, f, t)
    : which == "design"   // speed design zc rolloff beta
        ? (x, f, t) => OneShot(x, f, t, new SincDesign(double.Parse(args[2]), double.Parse(args[3]), double.Parse(args[4])))
        : (x, f, t) => AudioResampler.Resample(x, f, t);

if (mode == "speed")
{
    const double seconds = 10;
    var rng = new Random(1);
    (int From, int To)[] pairs = [.. froms.Select(f => (f, To)), (44100, 22001), (22050, 22000), (11025, 22000)];
    foreach (var (from, to) in pairs)
    {
        var x = new float[(int)(seconds * from)];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / from) + 0.1 * (rng.NextDouble() * 2 - 1));
        resample(x, from, to);   // warm-up (JIT, kernel tables)
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        int reps = 0;
        while (reps < 5 || (total.Elapsed.TotalSeconds < (which == "legacy" ? 6 : 2) && reps < 200))
        {
            var sw = Stopwatch.StartNew();
            resample(x, from, to);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            reps++;
        }
        Console.WriteLine($"{which,-6} {from,6} -> {to}: best {best * 1000,8:F2} ms per {seconds} s  = {seconds / best,8:F0} x real time ({reps} runs)");
    }
    return;
}

if (mode == "sweep")
{
    var design = new SincDesign(double.Parse(args[1]), double.Parse(args[2]), double.Parse(args[3]));
    int from = args.Length > 4 ? int.Parse(args[4]) : 44100, to = args.Length > 5 ? int.Parse(args[5]) : To;
    Quality(from, to, (x, f, t) => OneShot(x, f, t, design), $"design {design}");
    return;
}

foreach (int from in froms)
    Quality(from, To, resample, which);

static float[] OneShot(float[] x, int from, int to, SincDesign design)
{
    var r = new StreamingResampler(from, to, design);
    var y = new float[StreamingResampler.OutputLength(x.Length, from, to)];
    int w = r.Process(x, y);
    while (true) { int k = r.Flush(y.AsSpan(w)); if (k == 0) break; w += k; }
    return y;
}

static void Quality(int from, int to, Func<float[], int, int, float[]> resample, string label)
{
    double low = Math.Min(from, to) / 2.0, outNyq = to / 2.0, inNyq = from / 2.0;
    int n = from;   // 1 s
    Console.WriteLine($"{label}: {from} -> {to}");
    double worstPass = 0, worstResidual = double.NegativeInfinity;
    var line = new List<string>();
    for (double f = 100; f < low * 0.95; f += f < 1000 ? 100 : 250)
    {
        var (gainDb, residualDb) = Tone(from, to, f, n, resample);
        if (f >= 1000 && f <= 9000 && f < low * 0.82) worstPass = Math.Max(worstPass, Math.Abs(gainDb));
        if (f < low * 0.82) worstResidual = Math.Max(worstResidual, residualDb);
        if (f % 1000 == 0 || f > low * 0.8) line.Add($"{f / 1000:F2}k:{gainDb:F3}/{residualDb:F0}");
    }
    Console.WriteLine("  gain dB / residual dB: " + string.Join(" ", line));
    Console.WriteLine($"  max |gain| 1-min(9k, 0.82 Nyq): {worstPass:F4} dB; worst residual below 0.82 Nyq: {worstResidual:F1} dB");
    if (from > to)
    {
        var alias = new List<string>();
        double worst12 = double.NegativeInfinity, worst13 = double.NegativeInfinity, worst15 = double.NegativeInfinity;
        for (double f = outNyq + 250; f < inNyq; f += 250)
        {
            double db = Leak(from, to, f, n, resample);
            if (f >= outNyq * 12 / 11) worst12 = Math.Max(worst12, db);
            if (f >= outNyq * 13 / 11) worst13 = Math.Max(worst13, db);
            if (f >= outNyq * 15 / 11) worst15 = Math.Max(worst15, db);
            if (f <= outNyq + 2000) alias.Add($"{f / 1000:F2}k:{db:F0}");
        }
        Console.WriteLine("  leak dB just above out Nyquist: " + string.Join(" ", alias));
        Console.WriteLine($"  worst leak above {outNyq * 12 / 11 / 1000:F1}k: {worst12:F1} dB, above {outNyq * 13 / 11 / 1000:F1}k: {worst13:F1} dB, above {outNyq * 15 / 11 / 1000:F1}k: {worst15:F1} dB");
    }
    var y = resample(Sine(1000, 0.5, from, from), from, to);
    var r = Sine(1000, 0.5, to, to);
    double maxErr = 0;
    for (int i = to / 10; i < to - to / 10; i++) maxErr = Math.Max(maxErr, Math.Abs(y[i] - r[i]));
    Console.WriteLine($"  1 kHz at amplitude 0.5: max |error| vs analytic {maxErr:E2}");
}

static float[] Sine(double f, double a, int rate, int count) =>
    Enumerable.Range(0, count).Select(i => (float)(a * Math.Sin(2 * Math.PI * f * i / rate))).ToArray();

// Gain at f and the residual after removing the fitted tone at f (dB re the tone), over the middle half.
static (double GainDb, double ResidualDb) Tone(int from, int to, double f, int n, Func<float[], int, int, float[]> resample)
{
    var y = resample(Sine(f, 0.5, from, n), from, to);
    int a = y.Length / 4, b = 3 * y.Length / 4;
    double s = 0, c = 0;
    for (int i = a; i < b; i++) { double w = 2 * Math.PI * f * i / to; s += y[i] * Math.Sin(w); c += y[i] * Math.Cos(w); }
    s *= 2.0 / (b - a); c *= 2.0 / (b - a);
    double res = 0;
    for (int i = a; i < b; i++) { double w = 2 * Math.PI * f * i / to; double e = y[i] - s * Math.Sin(w) - c * Math.Cos(w); res += e * e; }
    double amp = Math.Sqrt(s * s + c * c);
    return (20 * Math.Log10(amp / 0.5), 20 * Math.Log10(Math.Sqrt(res / (b - a)) / (0.5 / Math.Sqrt(2)) + 1e-300));
}

static double Leak(int from, int to, double f, int n, Func<float[], int, int, float[]> resample)
{
    var y = resample(Sine(f, 0.5, from, n), from, to);
    double sum = 0;
    for (int i = y.Length / 4; i < 3 * y.Length / 4; i++) sum += (double)y[i] * y[i];
    return 20 * Math.Log10(Math.Sqrt(sum / (y.Length / 2)) / (0.5 / Math.Sqrt(2)) + 1e-300);
}
