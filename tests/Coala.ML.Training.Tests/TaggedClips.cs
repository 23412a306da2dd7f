using Coala.ML.Audio;

namespace Coala.ML.Training.Tests;

/// <summary>24 generated 3 s WAV clips of three kinds of sound (bell, engine, rain), tagged by their folder and file names.</summary>
internal static class TaggedClips
{
    /// <summary>Writes the clips under <paramref name="folder"/> (created) and returns its full path.</summary>
    public static string Write(string folder)
    {
        var audio = Directory.CreateDirectory(folder).FullName;
        // Three kinds of sound, tags from the folder and file names.
        var rng = new Random(3);
        string[] kinds = ["bell_ring", "engine_hum", "rain_noise"];
        for (int k = 0; k < kinds.Length; k++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(audio, kinds[k].Split('_')[0])).FullName;
            for (int i = 0; i < 8; i++)
            {
                var x = new float[22050 * 3];
                for (int n = 0; n < x.Length; n++)
                {
                    double t = n / 22050.0;
                    x[n] = (float)(k switch
                    {
                        // Distinct enough within a kind that prepare's near-duplicate filter keeps them all.
                        0 => 0.4 * Math.Sin(2 * Math.PI * (700 + 150 * i) * t) * Math.Exp(-(2 + i) * t),
                        1 => (0.3 * Math.Sin(2 * Math.PI * (60 + 30 * i) * t) + 0.1 * Math.Sin(2 * Math.PI * (120 + 60 * i) * t))
                             * (0.6 + 0.4 * Math.Sin(2 * Math.PI * (1 + i) * t)),
                        _ => 0.2 * (rng.NextDouble() * 2 - 1) * (Math.Sin(2 * Math.PI * (2 + 1.5 * i) * t) > 0 ? 1 : 0.05),
                    });
                }
                WavWriter.WritePcm16(Path.Combine(dir, $"{kinds[k]}_{i:D2}.wav"), x, 22050);
            }
        }
        return audio;
    }
}
