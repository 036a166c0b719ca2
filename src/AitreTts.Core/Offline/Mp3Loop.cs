using System;
using System.Collections.Generic;
using System.IO;
using AitreTts.Core.Audio;

namespace AitreTts.Core.Offline;

/// <summary>
/// MP3 of any length from one clip: the clip's Info frame, then its audio frames over and over. Every round
/// starts again at the clip's first audio frame, whose main_data_begin is 0, so no frame borrows bit-reservoir
/// bytes it was not encoded against. The Info frame is rewritten as an encoder would write it for the new
/// stream: frame and byte counts, TOC, and in the LAME tag the end padding, music length, music CRC and tag CRC.
/// </summary>
internal sealed class Mp3Loop
{
    private const uint HasFrames = 1, HasBytes = 2, HasToc = 4, HasQuality = 8;

    private readonly byte[] _clip;
    private readonly int _infoLength;
    private readonly int _xing;
    private readonly int _lame;
    private readonly List<int> _frameStarts = new();
    private readonly List<int> _frameLengths = new();

    public Mp3Loop(byte[] clip)
    {
        _clip = clip;
        if (clip.Length < 4 || !Mp3Codec.TryParseHeader(clip, 0, out Mp3Codec.Header info))
        {
            throw Broken("it does not start with an MP3 frame");
        }

        _infoLength = info.Length;
        _xing = 4 + (info.HasCrc ? 2 : 0) + info.SideInfoSize;
        if (!Bytes.Ascii(clip, _xing, "Info"))
        {
            throw Broken("its first frame is not a CBR Info frame");
        }

        uint flags = Bytes.U32Be(clip, _xing + 4);
        if ((flags & (HasFrames | HasBytes | HasToc)) != (HasFrames | HasBytes | HasToc))
        {
            throw Broken("its Info frame lacks the frame count, byte count or TOC");
        }

        _lame = _xing + 8 + 4 + 4 + 100 + ((flags & HasQuality) != 0 ? 4 : 0);
        if (_lame + 36 > _infoLength || TagCrc(clip) != Bytes.U16Be(clip, _lame + 34))
        {
            throw Broken("its Info frame has no LAME tag with a valid CRC");
        }

        EncoderDelay = (int)(Bytes.U24Be(clip, _lame + 21) >> 12);
        SampleRate = info.SampleRate;
        SamplesPerFrame = info.SamplesPerFrame;
        for (int o = _infoLength; o < clip.Length;)
        {
            if (o + 4 > clip.Length || !Mp3Codec.TryParseHeader(clip, o, out Mp3Codec.Header h) || !h.SameStream(info) || o + h.Length > clip.Length)
            {
                throw Broken($"no whole MP3 frame at offset {o}");
            }

            _frameStarts.Add(o);
            _frameLengths.Add(h.Length);
            o += h.Length;
        }

        int sideInfo = _frameStarts[0] + 4 + (info.HasCrc ? 2 : 0);
        int mainDataBegin = info.IsMpeg1 ? (clip[sideInfo] << 1) | (clip[sideInfo + 1] >> 7) : clip[sideInfo];
        if (mainDataBegin != 0)
        {
            throw Broken("its first audio frame uses the bit reservoir, so a repetition could not decode");
        }
    }

    public int SampleRate { get; }

    public int SamplesPerFrame { get; }

    /// <summary>Samples a decoder skips at the start, as the LAME tag says.</summary>
    public int EncoderDelay { get; }

    /// <summary>A stream that decodes to <paramref name="samples"/> samples once the encoder delay and the end padding are trimmed.</summary>
    public byte[] Build(long samples)
    {
        long frames = Math.Max(1, (samples + EncoderDelay + SamplesPerFrame - 1) / SamplesPerFrame);
        int padding = (int)((frames * SamplesPerFrame) - EncoderDelay - samples);
        var output = new MemoryStream();
        output.Write(_clip, 0, _infoLength);
        var offsets = new long[frames];
        ushort musicCrc = 0;
        for (long i = 0; i < frames; i++)
        {
            int index = (int)(i % _frameStarts.Count);
            offsets[i] = output.Length;
            output.Write(_clip, _frameStarts[index], _frameLengths[index]);
            musicCrc = Crc.Crc16Arc(musicCrc, _clip, _frameStarts[index], _frameLengths[index]);
        }

        byte[] stream = output.ToArray();
        uint total = (uint)stream.Length;
        Bytes.PutU32Be(stream, _xing + 8, (uint)frames);
        Bytes.PutU32Be(stream, _xing + 12, total);
        for (int percent = 0; percent < 100; percent++)
        {
            stream[_xing + 16 + percent] = (byte)Math.Min(255, offsets[frames * percent / 100] * 256 / total);
        }

        Bytes.PutU24Be(stream, _lame + 21, ((uint)EncoderDelay << 12) | (uint)padding);
        Bytes.PutU32Be(stream, _lame + 28, total);
        Bytes.PutU16Be(stream, _lame + 32, musicCrc);
        Bytes.PutU16Be(stream, _lame + 34, TagCrc(stream));
        return stream;
    }

    /// <summary>
    /// The LAME tag CRC as FFmpeg's mp3 muxer (which wrote the clips) computes it: CRC-16/ARC over the first
    /// 190 bytes of the Info frame with the CRC field taken as zero.
    /// </summary>
    private ushort TagCrc(byte[] stream)
    {
        var head = new byte[190];
        System.Buffer.BlockCopy(stream, 0, head, 0, Math.Min(190, _infoLength));
        if (_lame + 36 <= head.Length)
        {
            head[_lame + 34] = 0;
            head[_lame + 35] = 0;
        }

        return Crc.Crc16Arc(0, head, 0, head.Length);
    }

    private static InvalidDataException Broken(string why) => new("An embedded offline MP3 clip is unusable: " + why + ".");
}
