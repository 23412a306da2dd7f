using Coala.ML.Training.Losses;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Coala.ML.Features;
using Coala.ML.IO;
using Coala.ML.Training.Data;
using Coala.ML.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Coala.ML.Training;

/// <summary>
/// Trains one COALA variant (<see cref="TrainingOptions.Variant"/>) on a <see cref="TrainingCorpus"/> with TorchSharp,
/// writing into a run folder: <c>checkpoint.coala</c> after every epoch (atomic), <c>training_log.csv</c>,
/// <c>losses.png</c> and, for AE-C, <c>reconstructions/epoch_NNN.png</c>. Shuffling and dropout are seeded from
/// (seed, epoch), so a seeded CPU run is reproducible and a resumed run (<see cref="TrainingOptions.Resume"/>)
/// continues exactly as an uninterrupted one. Export the checkpoint with <see cref="CheckpointExporter.Export"/>.
/// </summary>
/// <example>
/// <code>
/// using var corpus = PreparedCorpus.Open("corpus");
/// var result = new CoalaTrainer(corpus, "run", new TrainingOptions { Variant = CoalaVariant.EC, Epochs = 20 }).Run();
/// CheckpointExporter.Export(result.CheckpointPath, "my-model.onnx", tags: true);
/// </code>
/// </example>
public sealed class CoalaTrainer
{
    /// <summary>The checkpoint's file name in the run folder.</summary>
    public const string CheckpointFileName = TrainingCheckpoint.FileName;
    /// <summary>The per-epoch loss log's file name in the run folder.</summary>
    public const string LogFileName = "training_log.csv";
    /// <summary>The loss plot's file name in the run folder.</summary>
    public const string LossPlotFileName = "losses.png";
    /// <summary>The AE-C reconstruction plots' folder in the run folder.</summary>
    public const string ReconstructionFolder = "reconstructions";

    private readonly TrainingCorpus _corpus;
    private readonly TrainingOptions _options;
    private readonly string _runDir;
    private readonly TextWriter _progress;

    private ITrainingSet TrainSet => _corpus.TrainingSet;
    private ITrainingSet ValidationSet => _corpus.ValidationSet;

    /// <summary>Called after each training batch with (epoch, batch index); tests use it to interrupt a run.</summary>
    internal Action<int, int>? AfterBatch { get; init; }

    /// <summary>
    /// True (a terminal): one progress line rewritten in place twice a second. False (redirected output):
    /// a plain progress line every 30 seconds.
    /// </summary>
    public bool LiveProgress { get; init; } = true;

    /// <summary>A trainer of <paramref name="corpus"/> writing into <paramref name="runDirectory"/> (created if need be).</summary>
    /// <param name="corpus">The examples, frontend, scaler and vocabulary; it stays open while the trainer runs.</param>
    /// <param name="runDirectory">Checkpoint, log and plots; with <see cref="TrainingOptions.Resume"/>, the run to continue.</param>
    /// <param name="options">Variant and hyper-parameters (checked by <see cref="TrainingOptions.Validate"/>).</param>
    /// <param name="progress">Where progress lines go (none by default).</param>
    /// <exception cref="CoalaException">the vocabulary does not fit the corpus's tag vectors.</exception>
    public CoalaTrainer(TrainingCorpus corpus, string runDirectory, TrainingOptions options, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(runDirectory);
        ArgumentNullException.ThrowIfNull(options);
        if (corpus.Vocabulary.Count != corpus.TrainingSet.VocabularySize)
            throw new CoalaException($"the vocabulary has {corpus.Vocabulary.Count} tags but the training set's multi-hot vectors have {corpus.TrainingSet.VocabularySize}");
        _corpus = corpus;
        _options = options;
        _runDir = runDirectory;
        _progress = progress ?? TextWriter.Null;
    }

    /// <summary>The run's checkpoint file (<see cref="CheckpointFileName"/> in the run folder).</summary>
    public string CheckpointPath => Path.Combine(_runDir, TrainingCheckpoint.FileName);

    /// <summary>Picks the device: the option if given, else CUDA when available, else CPU.</summary>
    internal static Device ResolveDevice(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
            return cuda.is_available() ? CUDA : CPU;
        string r = requested.Trim().ToLowerInvariant();
        if (r == "cpu") return CPU;
        if (r == "cuda" || r.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new CoalaException($"device '{requested}' requested but CUDA is not available (this build uses the CPU libtorch, or no GPU is visible)");
            return new Device(r);
        }
        throw new CoalaException($"unknown device '{requested}' (expected cpu, cuda or cuda:N)");
    }

    /// <summary>Runs until the configured epoch count, or until <paramref name="cancel"/> fires (between batches; the unfinished epoch is dropped).</summary>
    /// <summary>
    /// Trains up to <see cref="TrainingOptions.Epochs"/>, writing the checkpoint after every epoch. Cancelling stops
    /// after the current batch and keeps the last complete epoch's checkpoint.
    /// </summary>
    /// <exception cref="CoalaException">invalid options, a corpus that does not fit them, or a checkpoint that cannot be resumed.</exception>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        _options.Validate();
        CheckSet(TrainSet, "training");
        CheckSet(ValidationSet, "validation");
        if (ValidationSet.VocabularySize != TrainSet.VocabularySize)
            throw new CoalaException($"validation vocabulary size {ValidationSet.VocabularySize} differs from training's {TrainSet.VocabularySize}");
        if (_corpus.Scaler.Bands != TrainSet.Bands)
            throw new CoalaException($"scaler has {_corpus.Scaler.Bands} bands, the corpus {TrainSet.Bands}");
        try { Directory.CreateDirectory(_runDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CoalaException($"cannot create the run folder: {e.Message}", _runDir, e);
        }
        foreach (var stale in Directory.EnumerateFiles(_runDir, $".{TrainingCheckpoint.FileName}.*.tmp"))
            try { File.Delete(stale); } catch (IOException) { }

        if (_options.Threads > 0) set_num_threads(_options.Threads);
        var device = ResolveDevice(_options.Device);

        TrainingCheckpoint? resumeFrom = null;
        if (_options.Resume && File.Exists(CheckpointPath))
            resumeFrom = TrainingCheckpoint.Load(CheckpointPath);
        else if (!_options.Resume && File.Exists(CheckpointPath))
            throw new CoalaException("the run folder already holds a checkpoint: pass --resume to continue it, or choose another --out", CheckpointPath);

        var config = resumeFrom is null ? NewConfig() : ResumedConfig(resumeFrom.Config);
        var frequencies = resumeFrom is null ? TagFrequencies(TrainSet) : null;
        if (frequencies is not null) config.TagCounts = frequencies.Select(f => (int)Math.Round(f * TrainSet.Count)).ToArray();
        var variant = config.ParsedVariant;
        var history = resumeFrom?.History.Where(h => h.Epoch <= resumeFrom.Epoch).ToList() ?? new List<EpochLosses>();
        int startEpoch = (resumeFrom?.Epoch ?? 0) + 1;

        manual_seed(config.Seed);
        using var nets = new CoalaNetworks(variant, config.VocabularySize, config.Dropout);
        if (resumeFrom is not null) resumeFrom.ApplyTo(nets, CheckpointPath);
        nets.To(device);
        if (frequencies is not null && config.PriorInit && !nets.InitialiseTagPriors(frequencies))
            _progress.WriteLine("note: --prior-init has no tag output to initialise in E-C");
        using var optimizer = Optimizers.Create(config, nets.Parameters());
        if (resumeFrom is not null) resumeFrom.ApplyTo(optimizer, CheckpointPath);
        resumeFrom = null;
        int stepsPerEpoch = TrainSet.Count / config.BatchSize;

        if (startEpoch > config.Epochs)
        {
            _progress.WriteLine($"run already complete: {startEpoch - 1} of {config.Epochs} epochs");
            return new TrainingResult(startEpoch - 1, history, CheckpointPath, device.ToString()) { Steps = (long)(startEpoch - 1) * stepsPerEpoch };
        }
        _progress.WriteLine($"coala train: {CoalaVariants.Name(variant)}, {TrainSet.Count} training / {ValidationSet.Count} validation patches, " +
                            $"vocabulary {config.VocabularySize}, device {device}, threads {get_num_threads()}, epochs {startEpoch}..{config.Epochs} " +
                            $"({stepsPerEpoch} steps each), {config.Optimizer} lr {config.LearningRate:G4}" +
                            (config.WarmupSteps > 0 ? $" (warm-up {config.WarmupSteps} steps)" : "") +
                            (config.PriorInit ? ", prior-init" : "") + (config.Augment || config.AudioContrastWeight > 0 ? ", augmented views" : "") +
                            (config.AudioContrastWeight > 0 ? $", audio contrast x{config.AudioContrastWeight:G3}" : ""));

        int completed = startEpoch - 1;
        for (int epoch = startEpoch; epoch <= config.Epochs; epoch++)
        {
            double lr = LearningRates.At(config, epoch);
            var trainLosses = TrainEpoch(nets, optimizer, config, device, epoch, cancel);
            if (trainLosses is null) break; // cancelled: the epoch is lost, the last checkpoint stands
            var valLosses = Validate(nets, config, device, epoch);
            history.Add(trainLosses);
            history.Add(valLosses);
            TrainingCheckpoint.Capture(config, epoch, history, nets, optimizer).Save(CheckpointPath);
            completed = epoch;
            WriteLog(history);
            if (_options.Plots) TryPlot(() => TrainingPlots.LossCurves(Path.Combine(_runDir, LossPlotFileName), history));
            _progress.WriteLine($"{(LiveProgress ? "\r" : "")}epoch {epoch}/{config.Epochs} (step {(long)epoch * stepsPerEpoch})  train {Describe(trainLosses)}  |  val {Describe(valLosses)}  " +
                                $"{trainLosses.PatchesPerSecond:F1} patches/s  {trainLosses.WallSeconds:F1}s" +
                                (config.LearningRateSchedule == LearningRates.Constant ? "" : $"  lr {lr:G4}"));
        }
        return new TrainingResult(completed, history, CheckpointPath, device.ToString()) { Steps = (long)completed * stepsPerEpoch };
    }

    /// <summary>Each tag's share of the training examples (for <see cref="TrainingOptions.PriorInit"/>).</summary>
    internal static double[] TagFrequencies(ITrainingSet set) => set.TagCounts().Select(c => (double)c / set.Count).ToArray();

    private RunConfig NewConfig()
    {
        var o = _options;
        return new RunConfig
        {
            Variant = CoalaVariants.Name(o.Variant ?? CoalaVariant.AeC),
            VocabularySize = TrainSet.VocabularySize,
            Epochs = o.Epochs,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            LearningRateSchedule = LearningRates.Name(o.LearningRateSchedule),
            ScheduleEpochs = o.Epochs,
            Dropout = o.Dropout,
            Seed = o.Seed,
            AudioLossWeight = o.AudioLossWeight,
            TagLossWeight = o.TagLossWeight,
            ContrastiveLossWeight = o.ContrastiveLossWeight,
            Temperature = o.Temperature,
            Optimizer = Optimizers.Name(o.Optimizer),
            WeightDecay = o.Optimizer == TrainingOptimizer.AdamW ? o.WeightDecay : 0,
            WarmupSteps = o.WarmupSteps,
            PriorInit = o.PriorInit,
            Augment = o.Augment,
            AudioContrastWeight = o.AudioContrastWeight,
            Frontend = new Dictionary<string, string>(_corpus.Frontend.ToMetadata()),
            ScalerMin = _corpus.Scaler.Min.ToArray(),
            ScalerMax = _corpus.Scaler.Max.ToArray(),
            Vocabulary = _corpus.Vocabulary.ToArray(),
        };
    }

    /// <summary>On resume everything comes from the checkpoint except the epoch count, which may be extended.</summary>
    private RunConfig ResumedConfig(RunConfig stored)
    {
        if (_options.Variant is { } v && CoalaVariants.Name(v) != stored.Variant)
            throw new CoalaException($"--variant {CoalaVariants.Name(v)} differs from the checkpoint's variant {stored.Variant}", CheckpointPath);
        if (stored.VocabularySize != TrainSet.VocabularySize)
            throw new CoalaException($"the checkpoint was trained with a vocabulary of {stored.VocabularySize} tags, the corpus has {TrainSet.VocabularySize}", CheckpointPath);
        stored.Epochs = _options.Epochs;
        return stored;
    }

    private static void CheckSet(ITrainingSet set, string what)
    {
        if (set.Bands != CoalaShapes.PatchSize || set.Frames != CoalaShapes.PatchSize)
            throw new CoalaException($"the {what} set has {set.Bands}x{set.Frames} patches; the COALA networks take {CoalaShapes.PatchSize}x{CoalaShapes.PatchSize}");
        if (set.Count < 1) throw new CoalaException($"the {what} set is empty");
        if (set.VocabularySize < 1) throw new CoalaException($"the {what} set has no tag vocabulary");
    }

    /// <summary>Per-epoch seed for shuffling and dropout, a pure function of (seed, epoch).</summary>
    internal static long EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003L + epoch * 7919L + 17);

    private sealed class Batch(int size, int patchLen, int vocab, bool twoViews)
    {
        public readonly float[] Patches = new float[size * patchLen];
        /// <summary>The second augmented view of each patch (audio-to-audio contrast), else empty.</summary>
        public readonly float[] Patches2 = twoViews ? new float[size * patchLen] : [];
        public readonly float[] Labels = new float[size * vocab];
        public int Count;
    }

    /// <summary>Fills batches on a worker thread, one ahead of the consumer.</summary>
    /// <param name="set">the split to read.</param>
    /// <param name="order">example indices in the order to batch them.</param>
    /// <param name="batchSize">examples per batch.</param>
    /// <param name="dropLast">leave out a last, smaller batch.</param>
    /// <param name="twoViews">give each batch a second patch buffer (for the audio-to-audio contrast).</param>
    /// <param name="views">applied on the worker after filling, with the batch's 0-based index: augmentation and second views.</param>
    private static IEnumerable<Batch> Batches(ITrainingSet set, int[] order, int batchSize, bool dropLast, bool twoViews = false,
        Action<Batch, int>? views = null)
    {
        int patchLen = set.Bands * set.Frames;
        int n = dropLast ? order.Length / batchSize * batchSize : order.Length;
        var buffers = new[] { new Batch(batchSize, patchLen, set.VocabularySize, twoViews), new Batch(batchSize, patchLen, set.VocabularySize, twoViews) };
        Task<Batch> Fill(int start, Batch b) => Task.Run(() =>
        {
            int k = Math.Min(batchSize, n - start);
            set.Fill(order.AsSpan(start, k), b.Patches.AsSpan(0, k * patchLen), b.Labels.AsSpan(0, k * set.VocabularySize));
            b.Count = k;
            views?.Invoke(b, start / batchSize);
            return b;
        });
        if (n == 0) yield break;
        var pending = Fill(0, buffers[0]);
        int which = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            var ready = pending.GetAwaiter().GetResult();
            which ^= 1;
            if (start + batchSize < n) pending = Fill(start + batchSize, buffers[which]);
            yield return ready;
        }
    }

    /// <summary>
    /// Augments a filled training batch in place (<see cref="TrainingOptions.Augment"/>) and draws the second views
    /// (<see cref="TrainingOptions.AudioContrastWeight"/>), from a generator seeded by (epoch seed, batch index), so a
    /// resumed run draws the same views as an uninterrupted one.
    /// </summary>
    private void DrawViews(Batch b, int batchIndex, long epochSeed, PatchAugmentation augmentation, bool augmentFirst)
    {
        var rng = new Random(unchecked((int)(epochSeed * 1_000_003L + batchIndex * 7919L)));
        int per = TrainSet.Bands * TrainSet.Frames;
        var scratch = new float[TrainSet.Frames];
        for (int i = 0; i < b.Count; i++)
        {
            var first = b.Patches.AsSpan(i * per, per);
            if (b.Patches2.Length > 0)
            {
                var second = b.Patches2.AsSpan(i * per, per);
                first.CopyTo(second);
                augmentation.Apply(second, rng, scratch);
            }
            if (augmentFirst) augmentation.Apply(first, rng, scratch);
        }
    }

    private Tensor SecondView(Batch b, Device device) =>
        tensor(b.Patches2.AsSpan(0, b.Count * TrainSet.Bands * TrainSet.Frames).ToArray(), [b.Count, 1, TrainSet.Bands, TrainSet.Frames]).to(device);

    private (Tensor X, Tensor Tags) ToTensors(Batch b, Device device)
    {
        long k = b.Count;
        var x = tensor(b.Patches.AsSpan(0, (int)(k * TrainSet.Bands * TrainSet.Frames)).ToArray(), [k, 1, TrainSet.Bands, TrainSet.Frames]);
        var tags = tensor(b.Labels.AsSpan(0, (int)(k * TrainSet.VocabularySize)).ToArray(), [k, TrainSet.VocabularySize]);
        return (x.to(device), tags.to(device));
    }

    private EpochLosses? TrainEpoch(CoalaNetworks nets, torch.optim.Optimizer optimizer, RunConfig config, Device device, int epoch, CancellationToken cancel)
    {
        long epochSeed = EpochSeed(config.Seed, epoch);
        manual_seed(epochSeed);
        var order = Enumerable.Range(0, TrainSet.Count).ToArray();
        new Random((int)(epochSeed & 0x7fffffff)).Shuffle(order);
        int batches = TrainSet.Count / config.BatchSize;
        if (batches == 0)
            throw new CoalaException($"the training set has {TrainSet.Count} patches, fewer than one batch of {config.BatchSize}: lower --batch-size");

        nets.Train(true);
        var sum = new LossSums();
        var sw = Stopwatch.StartNew();
        var lastPrint = TimeSpan.Zero;
        int bi = 0;
        bool twoViews = config.AudioContrastWeight > 0;
        var augmentation = config.Augment || twoViews ? new PatchAugmentation(_corpus.Scaler, TrainSet.Frames) : null;
        Action<Batch, int>? views = augmentation is null ? null : (b, i) => DrawViews(b, i, epochSeed, augmentation, config.Augment);
        long firstStep = (long)(epoch - 1) * batches;
        foreach (var batch in Batches(TrainSet, order, config.BatchSize, dropLast: true, twoViews, views))
        {
            if (cancel.IsCancellationRequested) return null;
            double lr = LearningRates.At(config, epoch, firstStep + bi);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            using (var scope = NewDisposeScope())
            {
                var (x, tags) = ToTensors(batch, device);
                var l = VariantLosses.Compute(nets, config, x, tags, twoViews ? SecondView(batch, device) : null);
                optimizer.zero_grad();
                l.Objective.backward();
                optimizer.step();
                sum.Add(l, batch.Count);
            }
            bi++;
            AfterBatch?.Invoke(epoch, bi);
            if (LiveProgress ? sw.Elapsed - lastPrint > TimeSpan.FromSeconds(0.5) || bi == batches : sw.Elapsed - lastPrint > TimeSpan.FromSeconds(30))
            {
                lastPrint = sw.Elapsed;
                string line = $"epoch {epoch}/{config.Epochs} batch {bi}/{batches}  loss {sum.Objective / sum.Count:F4}  {sum.Count / sw.Elapsed.TotalSeconds:F1} patches/s";
                if (LiveProgress) _progress.Write($"\r{line}   ");
                else _progress.WriteLine(line);
            }
        }
        if (cancel.IsCancellationRequested) return null;
        double secs = sw.Elapsed.TotalSeconds;
        return sum.ToLosses(epoch, "train", secs);
    }

    private EpochLosses Validate(CoalaNetworks nets, RunConfig config, Device device, int epoch)
    {
        nets.Train(false);
        var sum = new LossSums();
        var sw = Stopwatch.StartNew();
        var order = Enumerable.Range(0, ValidationSet.Count).ToArray();
        bool first = true;
        using (no_grad())
        {
            foreach (var batch in Batches(ValidationSet, order, config.BatchSize, dropLast: false))
            {
                using var scope = NewDisposeScope();
                // Validation values below the training minimum arrive clamped to 0 (ITrainingSet's contract, as the reference).
                var (x, tags) = ToTensors(batch, device);
                var l = VariantLosses.Compute(nets, config, x, tags);
                sum.Add(l, batch.Count);
                if (first && l.Reconstruction is not null && _options.Plots)
                {
                    int n = Math.Min(batch.Count, 8);
                    var orig = x[..n].cpu().contiguous().data<float>().ToArray();
                    var rec = l.Reconstruction[..n].cpu().contiguous().data<float>().ToArray();
                    string dir = Path.Combine(_runDir, ReconstructionFolder);
                    TryPlot(() =>
                    {
                        Directory.CreateDirectory(dir);
                        TrainingPlots.Reconstructions(Path.Combine(dir, $"epoch_{epoch:D3}.png"), orig, rec, n, TrainSet.Bands, TrainSet.Frames, epoch);
                    });
                }
                first = false;
            }
        }
        return sum.ToLosses(epoch, "validation", sw.Elapsed.TotalSeconds);
    }

    private void TryPlot(Action plot)
    {
        try { plot(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _progress.WriteLine($"\nwarning: could not write a plot: {e.Message}");
        }
    }

    /// <summary>Sums of per-batch mean losses weighted by batch size.</summary>
    private sealed class LossSums
    {
        public double Objective, AudioKl = double.NaN, TagBce = double.NaN, Contrastive = double.NaN;
        public long Count;

        public void Add(BatchLosses l, int n)
        {
            Objective += l.Objective.item<float>() * n;
            if (l.AudioKl is not null) AudioKl = Acc(AudioKl, l.AudioKl.item<float>() * n);
            if (l.TagBce is not null) TagBce = Acc(TagBce, l.TagBce.item<float>() * n);
            if (l.Contrastive is not null) Contrastive = Acc(Contrastive, l.Contrastive.item<float>() * n);
            Count += n;
        }

        private static double Acc(double s, double v) => double.IsNaN(s) ? v : s + v;

        public EpochLosses ToLosses(int epoch, string split, double seconds) =>
            new(epoch, split, Objective / Count, AudioKl / Count, TagBce / Count, Contrastive / Count, Count / Math.Max(seconds, 1e-9), seconds);
    }

    private static string Describe(EpochLosses l)
    {
        var sb = new StringBuilder(l.Objective.ToString("F4", CultureInfo.InvariantCulture));
        if (!double.IsNaN(l.AudioKl)) sb.Append(CultureInfo.InvariantCulture, $" (kl {l.AudioKl:F4}");
        if (!double.IsNaN(l.TagBce)) sb.Append(CultureInfo.InvariantCulture, $"{(double.IsNaN(l.AudioKl) ? " (" : ", ")}bce {l.TagBce:F4}");
        if (!double.IsNaN(l.Contrastive)) sb.Append(CultureInfo.InvariantCulture, $"{(double.IsNaN(l.AudioKl) && double.IsNaN(l.TagBce) ? " (" : ", ")}con {l.Contrastive:F4}");
        if (sb.ToString().Contains('(')) sb.Append(')');
        return sb.ToString();
    }

    /// <summary>Rewrites the CSV log from the history (atomically), so a resumed run never repeats an epoch's rows.</summary>
    private void WriteLog(IReadOnlyList<EpochLosses> history)
    {
        var sb = new StringBuilder("epoch,split,objective,audio_kl,tag_bce,contrastive,patches_per_s,wall_s\n");
        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var h in history)
            sb.Append(CultureInfo.InvariantCulture, $"{h.Epoch},{h.Split},{F(h.Objective)},{F(h.AudioKl)},{F(h.TagBce)},{F(h.Contrastive)},{h.PatchesPerSecond:F2},{h.WallSeconds:F3}\n");
        string path = Path.Combine(_runDir, LogFileName);
        AtomicFile.WriteAllText(path, sb.ToString(), "the training log");
    }
}
