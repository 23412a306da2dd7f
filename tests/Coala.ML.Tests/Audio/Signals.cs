namespace Coala.ML.Tests.Audio;

/// <summary>Measurements on decoded or resampled signals.</summary>
internal static class Signals
{
    /// <summary>Frequency estimated from rising zero crossings over <paramref name="x"/>.</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<float> x, int rate)
    {
        int first = -1, last = -1, count = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i - 1] < 0 && x[i] >= 0)
            {
                if (first < 0) first = i; else count++;
                last = i;
            }
        }
        return count == 0 ? 0 : count * (double)rate / (last - first);
    }

    public static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return Math.Sqrt(sum / x.Length);
    }

    /// <summary>Amplitude and phase of the <paramref name="frequency"/> component of <paramref name="x"/>, which starts at sample <paramref name="offset"/>.</summary>
    public static (double Amplitude, double Phase) Tone(ReadOnlySpan<float> x, int offset, double frequency, int rate)
    {
        double s = 0, c = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double w = 2 * Math.PI * frequency * (offset + i) / rate;
            s += x[i] * Math.Sin(w);
            c += x[i] * Math.Cos(w);
        }
        s *= 2.0 / x.Length;
        c *= 2.0 / x.Length;
        return (Math.Sqrt(s * s + c * c), Math.Atan2(c, s));
    }
}
