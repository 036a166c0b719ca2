using System;
using System.Collections.Generic;
using System.IO;
using AitreTts.Core.Audio;

namespace AitreTts.Core.Offline;

/// <summary>AAC in ADTS of any length from one clip: ADTS frames stand alone, so a longer stream is the clip's frames over and over.</summary>
internal sealed class AdtsLoop
{
    private readonly byte[] _clip;
    private readonly List<int> _frameStarts = new();
    private readonly List<int> _frameLengths = new();

    public AdtsLoop(byte[] clip)
    {
        _clip = clip;
        AdtsCodec.Header? first = null;
        for (int o = 0; o < clip.Length;)
        {
            if (o + 7 > clip.Length || !AdtsCodec.TryParseHeader(clip, o, out AdtsCodec.Header h) || o + h.Length > clip.Length
                || h.Blocks != 1 || (first is not null && !first.Value.SameStream(h)))
            {
                throw new InvalidDataException($"An embedded offline AAC clip is unusable: no whole single-block ADTS frame at offset {o}.");
            }

            first ??= h;
            _frameStarts.Add(o);
            _frameLengths.Add(h.Length);
            o += h.Length;
        }

        SampleRate = first?.SampleRate ?? throw new InvalidDataException("An embedded offline AAC clip is empty.");
    }

    public int SampleRate { get; }

    public const int SamplesPerFrame = 1024;

    /// <summary>The frames nearest to <paramref name="samples"/> samples (ADTS cannot say where to stop inside a frame).</summary>
    public byte[] Build(long samples)
    {
        long frames = Math.Max(1, (samples + (SamplesPerFrame / 2)) / SamplesPerFrame);
        var output = new MemoryStream();
        for (long i = 0; i < frames; i++)
        {
            int index = (int)(i % _frameStarts.Count);
            output.Write(_clip, _frameStarts[index], _frameLengths[index]);
        }

        return output.ToArray();
    }
}
