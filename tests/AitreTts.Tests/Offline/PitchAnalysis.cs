using System;
using System.Collections.Generic;
using System.Linq;

namespace AitreTts.Tests.Offline;

/// <summary>The pitch a listener hears, estimated the plain way: autocorrelation over the loud 40 ms windows.</summary>
internal static class PitchAnalysis
{
    public static double MedianPitch(short[] samples, int sampleRate)
    {
        int window = sampleRate / 25;
        int minLag = sampleRate / 400, maxLag = sampleRate / 60;
        double loudest = samples.Length == 0 ? 0 : samples.Max(s => Math.Abs((double)s));
        var pitches = new List<double>();
        for (int start = 0; start + window + maxLag < samples.Length; start += window / 2)
        {
            double energy = 0;
            for (int i = start; i < start + window; i++)
            {
                energy += (double)samples[i] * samples[i];
            }

            if (Math.Sqrt(energy / window) < loudest / 8)
            {
                continue; // silence, or noise too quiet to carry a pitch
            }

            int bestLag = 0;
            double best = 0;
            for (int lag = minLag; lag <= maxLag; lag++)
            {
                double sum = 0, norm = 0;
                for (int i = start; i < start + window; i++)
                {
                    sum += (double)samples[i] * samples[i + lag];
                    norm += (double)samples[i + lag] * samples[i + lag];
                }

                double score = sum / Math.Sqrt(energy * norm + 1);
                if (score > best)
                {
                    best = score;
                    bestLag = lag;
                }
            }

            if (best > 0.5)
            {
                pitches.Add((double)sampleRate / bestLag);
            }
        }

        if (pitches.Count == 0)
        {
            return 0;
        }

        pitches.Sort();
        return pitches[pitches.Count / 2];
    }
}
