using Coala.ML.Export;
using Coala.ML.Features;

namespace Coala.ML.Tests.Export;

/// <summary>
/// A plain-loop forward pass of the COALA audio encoder (double accumulation), independent of ONNX, to check
/// the exported graph against: scaler, 5 x (Conv 4x4 s2 p1 + BatchNorm + ReLU), flatten, mean/std over patches.
/// </summary>
internal static class ReferenceEncoder
{
    /// <summary>The flattened [C*h*w] features of one unscaled patch [bands, frames].</summary>
    public static float[] Features(EncoderWeights w, MinMaxScaler scaler, ReadOnlySpan<float> patch, int bands, int frames)
    {
        var x = new float[bands * frames];
        for (int b = 0; b < bands; b++)
            for (int t = 0; t < frames; t++)
                x[b * frames + t] = (patch[b * frames + t] - scaler.Min[b]) * scaler.Scale(b);
        int c = 1, h = bands, wd = frames;
        for (int blk = 0; blk < EncoderWeights.Blocks; blk++)
        {
            var cw = w[EncoderWeights.ConvName(blk) + ".weight"].Values;
            var cb = w[EncoderWeights.ConvName(blk) + ".bias"].Values;
            string bn = EncoderWeights.BatchNormName(blk);
            var g = w[bn + ".weight"].Values; var beta = w[bn + ".bias"].Values;
            var rm = w[bn + ".running_mean"].Values; var rv = w[bn + ".running_var"].Values;
            int oc = EncoderWeights.Channels, oh = h / 2, ow = wd / 2, k = EncoderWeights.Kernel;
            var y = new float[oc * oh * ow];
            var acc = new double[oh * ow];
            for (int o = 0; o < oc; o++)
            {
                Array.Fill(acc, cb[o]);
                for (int i = 0; i < c; i++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            double wv = cw[((o * c + i) * k + ky) * k + kx];
                            for (int yy = 0; yy < oh; yy++)
                            {
                                int iy = yy * 2 - 1 + ky;
                                if (iy < 0 || iy >= h) continue;
                                int row = (i * h + iy) * wd;
                                for (int xx = 0; xx < ow; xx++)
                                {
                                    int ix = xx * 2 - 1 + kx;
                                    if (ix < 0 || ix >= wd) continue;
                                    acc[yy * ow + xx] += wv * x[row + ix];
                                }
                            }
                        }
                double inv = 1.0 / Math.Sqrt(rv[o] + (double)EncoderWeights.BatchNormEpsilon);
                for (int p = 0; p < oh * ow; p++)
                {
                    double v = (acc[p] - rm[o]) * inv * g[o] + beta[o];
                    y[o * oh * ow + p] = (float)Math.Max(0, v);
                }
            }
            x = y; c = oc; h = oh; wd = ow;
        }
        return x;
    }

    /// <summary>Mean and population std over patches of the features.</summary>
    public static (float[] Mean, float[] Std) Pool(IReadOnlyList<float[]> features)
    {
        int d = features[0].Length, n = features.Count;
        var mean = new float[d]; var std = new float[d];
        for (int j = 0; j < d; j++)
        {
            double m = 0;
            foreach (var f in features) m += f[j];
            m /= n;
            double v = 0;
            foreach (var f in features) v += (f[j] - m) * (f[j] - m);
            mean[j] = (float)m;
            std[j] = (float)Math.Sqrt(v / n);
        }
        return (mean, std);
    }
}
