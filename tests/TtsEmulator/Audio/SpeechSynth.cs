using System;
using System.Collections.Generic;

namespace TtsEmulator.Audio;

/// <summary>
/// A deterministic "speech-like" signal: a voiced harmonic series whose pitch depends on the voice name, shaped
/// by vowel formants chosen per word, with an attack/decay envelope per word and short pauses between words.
/// Not speech, but it has the structure of speech (pitch, syllable envelope, silences) and the same input always
/// gives the same samples.
/// </summary>
internal static class SpeechSynth
{
    // Formant pairs (F1, F2) in Hz of five vowels: a, e, i, o, u.
    private static readonly (double F1, double F2)[] Vowels =
    {
        (730, 1090), (530, 1840), (270, 2290), (570, 840), (300, 870),
    };

    /// <summary>Stable 32-bit FNV-1a hash, so pitch and vowels never change between runs or runtimes.</summary>
    public static uint Hash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash ^= c;
            hash *= 16777619;
        }

        return hash;
    }

    /// <summary>The base pitch of a voice, between 95 and 235 Hz.</summary>
    public static double PitchOf(string voice) => 95 + (Hash(voice) % 141);

    /// <summary>Synthesizes <paramref name="sampleCount"/> 16-bit mono samples at <paramref name="sampleRate"/>.</summary>
    public static short[] Synthesize(string input, string voice, int sampleRate, int sampleCount)
    {
        var samples = new short[sampleCount];
        if (sampleCount == 0)
        {
            return samples;
        }

        string[] words = input.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            words = new[] { "a" };
        }

        // Each word gets time in proportion to its length plus one character for the pause after it.
        double totalWeight = 0;
        foreach (string word in words)
        {
            totalWeight += word.Length + 1;
        }

        double f0 = PitchOf(voice);
        double phase = 0;
        int start = 0;
        double consumed = 0;
        for (int w = 0; w < words.Length; w++)
        {
            consumed += words[w].Length + 1;
            int end = w == words.Length - 1 ? sampleCount : (int)Math.Round(sampleCount * consumed / totalWeight);
            int segment = end - start;
            int voiced = (int)(segment * (double)words[w].Length / (words[w].Length + 1));
            uint wordHash = Hash(words[w]);
            (double f1, double f2) = Vowels[wordHash % (uint)Vowels.Length];
            double[] harmonicGain = HarmonicGains(f0, f1, f2, sampleRate);
            int ramp = Math.Max(1, Math.Min(voiced / 4, sampleRate / 50));
            double glide = ((wordHash >> 8) % 2 == 0) ? 0.12 : -0.08;

            for (int i = 0; i < segment; i++)
            {
                if (i >= voiced)
                {
                    samples[start + i] = 0;
                    continue;
                }

                double progress = voiced <= 1 ? 0 : (double)i / (voiced - 1);
                double pitch = f0 * (1 + (glide * progress) + (0.02 * Math.Sin(2 * Math.PI * 5 * i / sampleRate)));
                phase += 2 * Math.PI * pitch / sampleRate;
                if (phase > 2 * Math.PI * 1000)
                {
                    phase -= 2 * Math.PI * 1000;
                }

                double value = 0;
                for (int k = 0; k < harmonicGain.Length; k++)
                {
                    value += harmonicGain[k] * Math.Sin((k + 1) * phase);
                }

                double envelope = i < ramp ? (double)i / ramp : i > voiced - ramp ? (double)(voiced - i) / ramp : 1.0;
                samples[start + i] = (short)Math.Round(Math.Clamp(value * envelope, -1, 1) * 9000);
            }

            phase = 0;
            start = end;
        }

        return samples;
    }

    private static double[] HarmonicGains(double f0, double f1, double f2, int sampleRate)
    {
        var gains = new List<double>();
        double sum = 0;
        for (int k = 1; k * f0 * 1.2 < sampleRate / 2.0 && k <= 30; k++)
        {
            double f = k * f0;
            double g = (1 / (1 + Math.Pow((f - f1) / 90, 2))) + (0.6 / (1 + Math.Pow((f - f2) / 120, 2))) + (0.15 / k);
            gains.Add(g);
            sum += g;
        }

        for (int i = 0; i < gains.Count; i++)
        {
            gains[i] /= sum;
        }

        return gains.ToArray();
    }
}
