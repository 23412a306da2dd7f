using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Coala.ML.Evaluation;

/// <summary>
/// Trains the one-hidden-layer MLP with TorchSharp on the CPU and predicts the test set. Seeded: the same inputs and
/// seed give the same predictions (initialisation and dropout from torch's generator, seeded under a process-wide lock;
/// batch order and the validation split from <see cref="Random"/>).
/// </summary>
public static class MlpClassifier
{
    private static readonly object TorchLock = new();

    public static MlpResult TrainAndPredict(float[][] xTrain, int[] yTrain, float[][] xTest, int classes, MlpOptions options, int seed)
    {
        options.Validate();
        if (xTrain.Length == 0 || xTrain.Length != yTrain.Length) throw new CoalaException($"MLP: {xTrain.Length} training vectors for {yTrain.Length} labels");
        if (classes < 2) throw new CoalaException($"MLP: need at least 2 classes, got {classes}");
        int d = xTrain[0].Length;
        var rng = new Random(seed);

        // Stratified hold-out for early stopping.
        var trainIdx = new List<int>();
        var valIdx = new List<int>();
        if (options.Patience > 0)
        {
            foreach (var g in Enumerable.Range(0, yTrain.Length).GroupBy(i => yTrain[i]).OrderBy(g => g.Key))
            {
                var members = g.ToArray();
                rng.Shuffle(members);
                int nVal = members.Length >= 2 ? (int)Math.Round(members.Length * options.ValidationFraction) : 0;
                valIdx.AddRange(members.Take(nVal));
                trainIdx.AddRange(members.Skip(nVal));
            }
        }
        if (valIdx.Count == 0) { trainIdx = Enumerable.Range(0, yTrain.Length).ToList(); }
        trainIdx.Sort();
        valIdx.Sort();
        bool earlyStopping = valIdx.Count > 0;

        lock (TorchLock)
        {
            using var outer = NewDisposeScope();
            random.manual_seed(seed);
            var model = nn.Sequential(
                ("hidden", nn.Linear(d, options.Hidden)),
                ("relu", nn.ReLU()),
                ("dropout", nn.Dropout(options.Dropout)),
                ("output", nn.Linear(options.Hidden, classes)));
            using var optimizer = optim.Adam(model.parameters(), options.LearningRate);

            var xt = Stack(xTrain, trainIdx, d);
            var yt = tensor(trainIdx.Select(i => (long)yTrain[i]).ToArray());
            Tensor? xv = earlyStopping ? Stack(xTrain, valIdx, d) : null;
            Tensor? yv = earlyStopping ? tensor(valIdx.Select(i => (long)yTrain[i]).ToArray()) : null;

            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0, epoch = 0;
            Dictionary<string, Tensor>? best = null;
            var order = Enumerable.Range(0, trainIdx.Count).ToArray();
            for (epoch = 1; epoch <= options.MaxEpochs; epoch++)
            {
                model.train();
                rng.Shuffle(order);
                for (int start = 0; start < order.Length; start += options.BatchSize)
                {
                    using var scope = NewDisposeScope();
                    var idx = tensor(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray().Select(i => (long)i).ToArray());
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(model.forward(xt.index_select(0, idx)), yt.index_select(0, idx));
                    loss.backward();
                    optimizer.step();
                }
                if (!earlyStopping) continue;
                double valLoss;
                model.eval();
                using (no_grad())
                using (var scope = NewDisposeScope())
                    valLoss = nn.functional.cross_entropy(model.forward(xv!), yv!).item<float>();
                if (valLoss < bestLoss - 1e-6)
                {
                    bestLoss = valLoss;
                    bestEpoch = epoch;
                    if (best is not null) foreach (var t in best.Values) t.Dispose();
                    best = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
                }
                else if (epoch - bestEpoch >= options.Patience) break;
            }
            int trained = Math.Min(epoch, options.MaxEpochs);
            if (best is not null)
            {
                model.load_state_dict(best);
                foreach (var t in best.Values) t.Dispose();
            }
            else bestEpoch = trained;

            model.eval();
            int[] predictions;
            using (no_grad())
            {
                if (xTest.Length == 0) predictions = [];
                else
                {
                    var logits = model.forward(Stack(xTest, Enumerable.Range(0, xTest.Length).ToList(), d));
                    predictions = logits.argmax(1).data<long>().Select(v => (int)v).ToArray();
                }
            }
            return new MlpResult(predictions, trained, bestEpoch);
        }
    }

    private static Tensor Stack(float[][] x, List<int> rows, int d)
    {
        var flat = new float[rows.Count * d];
        for (int r = 0; r < rows.Count; r++)
        {
            if (x[rows[r]].Length != d) throw new CoalaException($"MLP: feature vectors of different lengths ({x[rows[r]].Length} and {d})");
            x[rows[r]].CopyTo(flat, r * d);
        }
        return tensor(flat, [rows.Count, d]);
    }
}
