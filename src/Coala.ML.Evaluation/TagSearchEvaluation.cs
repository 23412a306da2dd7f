using System.Globalization;
using System.Text;
using Coala.ML.Model;
using Coala.ML.Tags;
using Coala.ML.Training;

namespace Coala.ML.Evaluation;

/// <summary>
/// Tag search quality on the validation split of a prepared corpus, computed with the exported ONNX models (the
/// inference stack, no TorchSharp): each validation clip's stored raw patch goes through the audio encoder and
/// the audio head; each vocabulary word alone through the tag encoder and tag head; similarity is cosine.
/// <list type="bullet">
/// <item>tag ranking: per clip, the vocabulary ranked by similarity; precision@k = relevant tags in the top k / k,
/// recall@k = relevant in top k / the clip's tags; baseline: always the k most frequent training tags;</item>
/// <item>tag→audio retrieval: per tag on at least <c>minClips</c> validation clips, the validation clips ranked by
/// similarity to the tag; precision of the top k; baseline: a random ranking's expected precision (tag share).</item>
/// </list>
/// The patches are fed unscaled to the encoder, which scales them in-graph without the training loop's clamp of
/// validation values at 0: the figures are what the shipped models compute.
/// </summary>
public static class TagSearchEvaluation
{
    public static TagSearchResult Run(string corpusDir, string encoderPath, string? tagModelPath, int k = 10, int minClips = 10,
        TextWriter? progress = null)
    {
        if (k < 1) throw new CoalaException($"k must be at least 1, got {k}");
        using var corpus = PreparedCorpus.Open(corpusDir);
        var encoder = CoalaModel.Load(encoderPath);
        using var index = new CoalaTagIndex(encoder, tagModelPath);
        var vocab = index.Vocabulary;
        if (!vocab.SequenceEqual(corpus.Vocabulary, StringComparer.Ordinal))
            throw new CoalaException($"the tag model's vocabulary ({vocab.Count} words) is not the corpus's ({corpus.Vocabulary.Count} words, {corpus.Directory}): evaluate a model trained on this corpus", index.TagModelPath);
        if (encoder.Frontend.MelBands != corpus.Manifest.Bands || encoder.Frontend.PatchFrames != corpus.Manifest.Frames)
            throw new CoalaException($"the encoder takes {encoder.Frontend.MelBands}x{encoder.Frontend.PatchFrames} patches, the corpus holds {corpus.Manifest.Bands}x{corpus.Manifest.Frames}", encoderPath);

        int n = corpus.Validation.Count, v = vocab.Count, d = index.Dimension, per = corpus.Manifest.Bands * corpus.Manifest.Frames;
        if (n == 0) throw new CoalaException("the corpus has no validation clips", corpus.Directory);
        var embeddings = new float[n * d];
        using (var embedder = new CoalaEmbedder(encoder))
        {
            var patch = new float[per];
            for (int i = 0; i < n; i++)
            {
                corpus.Validation.ReadRawPatch(i, patch);
                embedder.EmbedPatches(patch, 1).CopyTo(embeddings, i * d);
                if (progress is not null && (i + 1) % 100 == 0) progress.WriteLine($"embedded {i + 1}/{n} validation clips");
            }
        }
        var aligned = new float[n * d];
        for (int i = 0; i < n; i++) index.AlignAudio(embeddings.AsSpan(i * d, d)).CopyTo(aligned, i * d);
        var valLabels = Labels(corpus.Validation);
        var trainLabels = Labels(corpus.Train);
        var trainCounts = new int[v];
        for (int r = 0; r < corpus.Train.Count; r++)
            for (int j = 0; j < v; j++) trainCounts[j] += trainLabels[r * v + j];
        var result = Compute(aligned, index.UnitTagVectors(), valLabels, trainCounts, d, k, minClips);
        return result with { BaselineTags = result.BaselineTags.Select(i => vocab[int.Parse(i, CultureInfo.InvariantCulture)]).ToArray() };
    }

    private static byte[] Labels(CorpusSplit split)
    {
        int v = split.VocabularySize, per = split.Bands * split.Frames;
        var labels = new byte[split.Count * v];
        var patch = new float[per];
        var row = new float[v];
        for (int i = 0; i < split.Count; i++)
        {
            split.Fill([i], patch, row);
            for (int j = 0; j < v; j++) labels[i * v + j] = (byte)(row[j] > 0.5f ? 1 : 0);
        }
        return labels;
    }

    /// <summary>
    /// The metrics from vectors: <paramref name="clips"/> [n, d] aligned audio, <paramref name="words"/> [V, d] tag
    /// vectors, <paramref name="labels"/> [n, V] 0/1, <paramref name="trainCounts"/> [V] training clips per tag.
    /// Ties in a ranking are broken by index. BaselineTags holds the baseline's tag indices as strings.
    /// </summary>
    public static TagSearchResult Compute(float[] clips, float[] words, byte[] labels, int[] trainCounts, int d, int k, int minClips)
    {
        int v = trainCounts.Length, n = clips.Length / d;
        if (words.Length != v * d || labels.Length != n * v || clips.Length != n * d)
            throw new CoalaException("tag search evaluation: vector and label sizes disagree");
        int kk = Math.Min(k, v);
        // sim[i, j] = cosine(clip i, word j)
        var sim = new double[n, v];
        var cn = new double[n];
        var wn = new double[v];
        for (int i = 0; i < n; i++) cn[i] = Norm(clips.AsSpan(i * d, d));
        for (int j = 0; j < v; j++) wn[j] = Norm(words.AsSpan(j * d, d));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < v; j++)
            {
                double den = cn[i] * wn[j];
                sim[i, j] = den == 0 ? 0 : Dot(clips.AsSpan(i * d, d), words.AsSpan(j * d, d)) / den;
            }

        var baseline = Enumerable.Range(0, v).OrderByDescending(j => trainCounts[j]).ThenBy(j => j).Take(kk).ToArray();
        double p = 0, r = 0, bp = 0, br = 0, best = 0;
        int counted = 0;
        for (int i = 0; i < n; i++)
        {
            int relevant = 0;
            for (int j = 0; j < v; j++) relevant += labels[i * v + j];
            if (relevant == 0) continue;
            counted++;
            var top = Enumerable.Range(0, v).OrderByDescending(j => sim[i, j]).ThenBy(j => j).Take(kk);
            int hits = top.Count(j => labels[i * v + j] == 1);
            int bhits = baseline.Count(j => labels[i * v + j] == 1);
            p += (double)hits / k;
            best += (double)Math.Min(relevant, k) / k;
            r += (double)hits / relevant;
            bp += (double)bhits / k;
            br += (double)bhits / relevant;
        }
        if (counted == 0) throw new CoalaException("no validation clip has a vocabulary tag");

        double rp = 0, rr = 0;
        int tags = 0;
        for (int j = 0; j < v; j++)
        {
            int positives = 0;
            for (int i = 0; i < n; i++) positives += labels[i * v + j];
            if (positives < minClips) continue;
            tags++;
            var top = Enumerable.Range(0, n).OrderByDescending(i => sim[i, j]).ThenBy(i => i).Take(Math.Min(k, n));
            rp += (double)top.Count(i => labels[i * v + j] == 1) / k;
            rr += (double)positives / n;
        }
        return new TagSearchResult(k, counted, v, p / counted, r / counted, best / counted, bp / counted, br / counted,
            baseline.Select(j => j.ToString(CultureInfo.InvariantCulture)).ToArray(),
            tags, minClips, tags == 0 ? double.NaN : rp / tags, tags == 0 ? double.NaN : rr / tags);
    }

    /// <summary>Dot product accumulated in double, as the ranking's cosine needs.</summary>
    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static double Norm(ReadOnlySpan<float> x) => Math.Sqrt(Dot(x, x));
}
