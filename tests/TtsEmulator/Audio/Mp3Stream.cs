using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace TtsEmulator.Audio;

/// <summary>
/// MP3 of any length built from the fixture clip: its ID3v2 tag and Xing/Info frame once, then the clip's audio
/// frames repeated. Each repetition starts again at the clip's first audio frame, whose main_data_begin is 0 (it
/// needs no bit-reservoir bytes from the frame before it), so every frame decodes. The Info frame's frame and byte
/// counts, and the LAME tag's music length and CRCs, are rewritten for the new length, as an encoder would.
/// </summary>
internal sealed class Mp3Stream
{
    private static readonly Lazy<Mp3Stream> Default = new(() => new Mp3Stream(Fixtures.Load("clip.mp3")));

    private readonly byte[] id3;
    private readonly byte[] infoFrame;
    private readonly List<byte[]> frames = new();
    private readonly int infoOffset; // offset of "Info"/"Xing" inside the Info frame
    private readonly int encoderDelay;
    private readonly int encoderPadding;
    private readonly bool hasLameTag;

    private Mp3Stream(byte[] file)
    {
        int pos = 0;
        if (file.Length > 10 && file[0] == 'I' && file[1] == 'D' && file[2] == '3')
        {
            int size = (file[6] << 21) | (file[7] << 14) | (file[8] << 7) | file[9];
            pos = 10 + size + ((file[5] & 0x10) != 0 ? 10 : 0);
        }

        id3 = file.AsSpan(0, pos).ToArray();
        var all = new List<(byte[] Frame, int SideInfo)>();
        while (pos + 4 <= file.Length)
        {
            FrameHeader header = FrameHeader.Parse(file.AsSpan(pos));
            if (pos + header.Length > file.Length)
            {
                throw new InvalidDataException($"clip.mp3: truncated frame at {pos}.");
            }

            all.Add((file.AsSpan(pos, header.Length).ToArray(), header.SideInfoOffset));
            SampleRate = header.SampleRate;
            SamplesPerFrame = header.SamplesPerFrame;
            pos += header.Length;
        }

        (byte[] first, int sideInfo) = all[0];
        int tagOffset = sideInfo + FrameHeader.SideInfoLength(first);
        string tag = System.Text.Encoding.ASCII.GetString(first, tagOffset, 4);
        if (tag != "Info" && tag != "Xing")
        {
            throw new InvalidDataException("clip.mp3: the first frame is not a Xing/Info frame.");
        }

        infoFrame = first;
        infoOffset = tagOffset;
        for (int i = 1; i < all.Count; i++)
        {
            frames.Add(all[i].Frame);
        }

        if (MainDataBegin(frames[0]) != 0)
        {
            throw new InvalidDataException("clip.mp3: the first audio frame uses the bit reservoir; repetitions would not decode.");
        }

        uint flags = BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(infoOffset + 4));
        if (flags != 0x0F)
        {
            throw new InvalidDataException("clip.mp3: expected an Info frame with frames, bytes, TOC and quality.");
        }

        int lame = LameOffset;
        hasLameTag = lame + 36 <= first.Length && first[lame] == 'L';
        if (hasLameTag)
        {
            encoderDelay = (first[lame + 21] << 4) | (first[lame + 22] >> 4);
            encoderPadding = ((first[lame + 22] & 0x0F) << 8) | first[lame + 23];

            // Check our reading of the tag against the encoder's own CRC before we ever rewrite it.
            if (TagCrc(first) != BinaryPrimitives.ReadUInt16BigEndian(first.AsSpan(lame + 34)))
            {
                throw new InvalidDataException("clip.mp3: LAME tag CRC does not match; the tag layout is not the one expected.");
            }
        }
    }

    public static Mp3Stream Instance => Default.Value;

    public int SampleRate { get; private set; }

    public int SamplesPerFrame { get; private set; }

    private int LameOffset => infoOffset + 8 + 4 + 4 + 100 + 4;

    /// <summary>An MP3 whose decoded audio lasts about <paramref name="seconds"/>.</summary>
    public byte[] Build(double seconds)
    {
        long wanted = (long)Math.Ceiling(seconds * SampleRate) + encoderDelay + encoderPadding;
        int count = (int)Math.Max(1, (wanted + SamplesPerFrame - 1) / SamplesPerFrame);
        using var audio = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            audio.Write(frames[i % frames.Count]);
        }

        byte[] audioBytes = audio.ToArray();
        byte[] info = (byte[])infoFrame.Clone();
        uint streamBytes = (uint)(info.Length + audioBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(infoOffset + 8), (uint)count);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(infoOffset + 12), streamBytes);
        if (hasLameTag)
        {
            int lame = LameOffset;
            BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(lame + 28), streamBytes);
            BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(lame + 32), Checksums.Crc16Arc(audioBytes));
            BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(lame + 34), TagCrc(info));
        }

        var result = new byte[id3.Length + info.Length + audioBytes.Length];
        id3.CopyTo(result, 0);
        info.CopyTo(result, id3.Length);
        audioBytes.CopyTo(result, id3.Length + info.Length);
        return result;
    }

    /// <summary>main_data_begin: how many bytes of this frame's audio data live in earlier frames.</summary>
    internal static int MainDataBegin(byte[] frame)
    {
        FrameHeader header = FrameHeader.Parse(frame);
        int s = header.SideInfoOffset;
        return header.Mpeg1 ? (frame[s] << 1) | (frame[s + 1] >> 7) : frame[s];
    }

    /// <summary>
    /// The LAME tag CRC as the fixture's encoder (FFmpeg's mp3 muxer) computes it: CRC-16/ARC over the first 190
    /// bytes of the Info frame with the CRC field itself zeroed.
    /// </summary>
    private ushort TagCrc(byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        copy[LameOffset + 34] = 0;
        copy[LameOffset + 35] = 0;
        return Checksums.Crc16Arc(copy.AsSpan(0, Math.Min(190, copy.Length)));
    }

    private readonly struct FrameHeader
    {
        private static readonly int[] BitratesV1 = { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0 };
        private static readonly int[] BitratesV2 = { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0 };

        public bool Mpeg1 { get; init; }

        public int Length { get; init; }

        public int SampleRate { get; init; }

        public int SamplesPerFrame { get; init; }

        public int SideInfoOffset { get; init; }

        public static FrameHeader Parse(ReadOnlySpan<byte> b)
        {
            if (b[0] != 0xFF || (b[1] & 0xE0) != 0xE0 || ((b[1] >> 1) & 3) != 1)
            {
                throw new InvalidDataException("clip.mp3: expected a Layer III frame header.");
            }

            int version = (b[1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
            bool mpeg1 = version == 3;
            bool crc = (b[1] & 1) == 0;
            int bitrate = (mpeg1 ? BitratesV1 : BitratesV2)[b[2] >> 4] * 1000;
            int rateIndex = (b[2] >> 2) & 3;
            int baseRate = rateIndex switch { 0 => 44100, 1 => 48000, 2 => 32000, _ => throw new InvalidDataException("bad rate") };
            int rate = version switch { 3 => baseRate, 2 => baseRate / 2, _ => baseRate / 4 };
            int padding = (b[2] >> 1) & 1;
            int length = ((mpeg1 ? 144 : 72) * bitrate / rate) + padding;
            return new FrameHeader
            {
                Mpeg1 = mpeg1,
                Length = length,
                SampleRate = rate,
                SamplesPerFrame = mpeg1 ? 1152 : 576,
                SideInfoOffset = crc ? 6 : 4,
            };
        }

        public static int SideInfoLength(ReadOnlySpan<byte> b)
        {
            bool mpeg1 = ((b[1] >> 3) & 3) == 3;
            bool mono = (b[3] >> 6) == 3;
            return mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
        }
    }
}
