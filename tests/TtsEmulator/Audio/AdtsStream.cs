using System;
using System.Collections.Generic;
using System.IO;

namespace TtsEmulator.Audio;

/// <summary>AAC in ADTS: self-contained frames, so a longer stream is the clip's frames repeated.</summary>
internal sealed class AdtsStream
{
    private static readonly Lazy<AdtsStream> Default = new(() => new AdtsStream(Fixtures.Load("clip.aac")));
    private static readonly int[] Rates = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 };

    private readonly List<byte[]> frames = new();

    private AdtsStream(byte[] file)
    {
        int pos = 0;
        while (pos < file.Length)
        {
            if (pos + 7 > file.Length || file[pos] != 0xFF || (file[pos + 1] & 0xF6) != 0xF0)
            {
                throw new InvalidDataException($"clip.aac: no ADTS sync word at {pos}.");
            }

            int length = ((file[pos + 3] & 3) << 11) | (file[pos + 4] << 3) | (file[pos + 5] >> 5);
            int blocks = (file[pos + 6] & 3) + 1;
            SampleRate = Rates[(file[pos + 2] >> 2) & 0xF];
            SamplesPerFrame = 1024 * blocks;
            frames.Add(file.AsSpan(pos, length).ToArray());
            pos += length;
        }
    }

    public static AdtsStream Instance => Default.Value;

    public int SampleRate { get; }

    public int SamplesPerFrame { get; }

    public byte[] Build(double seconds)
    {
        // One extra frame for the encoder's priming samples, which decoders drop.
        long wanted = (long)Math.Ceiling(seconds * SampleRate) + SamplesPerFrame;
        int count = (int)Math.Max(1, (wanted + SamplesPerFrame - 1) / SamplesPerFrame);
        using var output = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            output.Write(frames[i % frames.Count]);
        }

        return output.ToArray();
    }
}
