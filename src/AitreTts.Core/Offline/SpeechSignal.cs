using System;

namespace AitreTts.Core.Offline;

/// <summary>
/// A speech-like signal for wav, pcm and flac: every character of the text gets an equal slice of the time.
/// Vowels (and digits, and letters of other scripts) are voiced: a harmonic series on the voice's pitch, shaped
/// by that vowel's two formants. Other letters are soft noise; spaces and punctuation are silence. The pitch
/// falls across each sentence and rises at the end of a question. So the rhythm follows the text and the
/// pitch follows the voice.
/// </summary>
/// <remarks>
/// Integer arithmetic only, with a sine table built from Bhaskara's rational approximation: floating-point
/// <c>Math.Sin</c> may round differently on .NET Framework and .NET, and a stored file made on Windows
/// PowerShell 5.1 must match one made on PowerShell 7 byte for byte.
/// </remarks>
internal static class SpeechSignal
{
    private const int TableBits = 12;
    private const int Harmonics = 16;
    private static readonly int[] Sine = BuildSine();

    // Peak levels: voiced sounds at about -11 dBFS, the hiss of consonants well below them.
    private const int VoicedPeak = 9000, NoisePeak = 1800;

    // (F1, F2) in Hz of the vowels a, e, i, o, u.
    private static readonly int[] FirstFormant = { 730, 530, 270, 570, 300 };
    private static readonly int[] SecondFormant = { 1090, 1840, 2290, 840, 870 };

    private enum Sound
    {
        Silence,
        Voiced,
        Noise,
    }

    /// <summary>Renders <paramref name="sampleCount"/> 16-bit mono samples of <paramref name="text"/>.</summary>
    public static short[] Render(string text, OfflineVoice voice, int sampleRate, int sampleCount)
    {
        var samples = new short[sampleCount];
        int slots = Math.Max(1, text.Length);
        var gains = new int[Harmonics];
        uint phase = 0;
        uint noise = 0x9E3779B9;
        int amplitude = 0;
        int slewPerSample = Math.Max(1, (VoicedPeak * 200) / sampleRate); // full swing in 5 ms: no clicks
        int sentenceStart = 0, sentenceEnd = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            char c = slot < text.Length ? text[slot] : 'a';
            if (slot > sentenceEnd || slot == 0)
            {
                sentenceStart = slot;
                sentenceEnd = SentenceEnd(text, slot);
            }

            Sound sound = Classify(c, out int vowel);
            int pitch = PitchAt(text, voice.PitchHz, sentenceStart, sentenceEnd, slot);
            uint step = (uint)(((ulong)pitch << 32) / (ulong)sampleRate);
            int gainSum = sound == Sound.Voiced ? FormantGains(pitch, vowel, sampleRate, gains) : 1;
            int target = sound == Sound.Voiced ? VoicedPeak : sound == Sound.Noise ? NoisePeak : 0;
            int start = (int)((long)sampleCount * slot / slots);
            int end = (int)((long)sampleCount * (slot + 1) / slots);
            for (int i = start; i < end; i++)
            {
                amplitude += Math.Max(-slewPerSample, Math.Min(slewPerSample, target - amplitude));
                phase += step;
                long value;
                if (sound == Sound.Voiced)
                {
                    long sum = 0;
                    for (int k = 0; k < Harmonics; k++)
                    {
                        sum += (long)gains[k] * Sine[(int)((phase * (uint)(k + 1)) >> (32 - TableBits))];
                    }

                    value = sum / gainSum;
                }
                else
                {
                    noise = (noise * 1664525) + 1013904223;
                    value = (int)(noise >> 17) - 16384;
                }

                samples[i] = (short)(value * amplitude / 32768);
            }
        }

        return samples;
    }

    private static Sound Classify(char c, out int vowel)
    {
        char lower = char.ToLowerInvariant(c);
        int index = "aeiou".IndexOf(lower);
        if (index >= 0 || lower == 'y')
        {
            vowel = index >= 0 ? index : 2;
            return Sound.Voiced;
        }

        vowel = c % 5;
        if (char.IsWhiteSpace(c) || char.IsPunctuation(c) || char.IsSymbol(c) || char.IsControl(c))
        {
            return Sound.Silence;
        }

        // Latin consonants hiss; digits and letters of scripts without Latin vowels are sung, so no text is silent.
        return lower < 0x80 && char.IsLetter(lower) ? Sound.Noise : Sound.Voiced;
    }

    /// <summary>The index of the character that ends the sentence starting at <paramref name="start"/>, or the text's last.</summary>
    private static int SentenceEnd(string text, int start)
    {
        int end = start;
        while (end < text.Length - 1 && text[end] != '.' && text[end] != '!' && text[end] != '?' && text[end] != '\n')
        {
            end++;
        }

        return end;
    }

    /// <summary>The pitch at a character: 10% above the voice's pitch at a sentence's start, 10% below at its end; a question rises instead.</summary>
    private static int PitchAt(string text, int basePitch, int sentenceStart, int sentenceEnd, int slot)
    {
        int length = Math.Max(1, sentenceEnd - sentenceStart);
        int permille = 100 - (200 * (slot - sentenceStart) / length);
        if (sentenceEnd < text.Length && text[sentenceEnd] == '?')
        {
            permille = -permille;
        }

        return basePitch + (basePitch * permille / 1000);
    }

    /// <summary>Gains of the harmonics of <paramref name="pitch"/> under a vowel's formants; returns their sum.</summary>
    private static int FormantGains(int pitch, int vowel, int sampleRate, int[] gains)
    {
        int sum = 0;
        for (int k = 0; k < gains.Length; k++)
        {
            long f = (long)pitch * (k + 1);
            if (f * 2 >= sampleRate)
            {
                gains[k] = 0; // above Nyquist it would fold back as noise
                continue;
            }

            long d1 = f - FirstFormant[vowel];
            long d2 = f - SecondFormant[vowel];
            gains[k] = (int)((1000L * 8100 / (8100 + (d1 * d1))) + (600L * 14400 / (14400 + (d2 * d2))) + (150 / (k + 1)));
            sum += gains[k];
        }

        return Math.Max(1, sum);
    }

    private static int[] BuildSine()
    {
        // sin(x) ~ 16x(pi - x) / (5 pi^2 - 4x(pi - x)) on [0, pi], with pi = half the table; error below 0.2%.
        int size = 1 << TableBits;
        long half = size / 2;
        var table = new int[size];
        for (int i = 0; i < size; i++)
        {
            long u = i % half;
            long p = u * (half - u);
            int value = (int)(16 * p * 32767 / ((5 * half * half) - (4 * p)));
            table[i] = i < half ? value : -value;
        }

        return table;
    }
}
