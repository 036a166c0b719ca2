using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Audio;

/// <summary>A small MP3 frame walker for the tests, written from the format tables, independent of the joiner.</summary>
internal static class Mp3Walk
{
    private static readonly int[] V1 = { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 };
    private static readonly int[] V2 = { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 };
    private static readonly int[][] Rates = { new[] { 11025, 12000, 8000 }, new int[0], new[] { 22050, 24000, 16000 }, new[] { 44100, 48000, 32000 } };

    /// <summary>The length of the layer III frame at <paramref name="o"/>, or 0 when there is no header there.</summary>
    public static int FrameLength(byte[] b, int o)
    {
        if (o + 4 > b.Length || b[o] != 0xFF || (b[o + 1] & 0xE6) != 0xE2)
        {
            return 0;
        }

        int version = (b[o + 1] >> 3) & 3, bitrate = b[o + 2] >> 4, rate = (b[o + 2] >> 2) & 3;
        if (version == 1 || bitrate == 0 || bitrate == 15 || rate == 3)
        {
            return 0;
        }

        bool v1 = version == 3;
        return ((v1 ? 144000 : 72000) * (v1 ? V1 : V2)[bitrate] / Rates[version][rate]) + ((b[o + 2] >> 1) & 1);
    }

    public static int Start(byte[] b) =>
        b.Length > 10 && b[0] == 'I' && b[1] == 'D' && b[2] == '3' ? 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]) : 0;

    public static List<int> FrameOffsets(byte[] b)
    {
        var offsets = new List<int>();
        int o = Start(b);
        int length;
        while ((length = FrameLength(b, o)) > 0 && o + length <= b.Length)
        {
            offsets.Add(o);
            o += length;
        }

        return offsets;
    }

    public static int EndOfFrames(byte[] b)
    {
        List<int> offsets = FrameOffsets(b);
        return offsets.Count == 0 ? 0 : offsets[^1] + FrameLength(b, offsets[^1]);
    }

    private static int XingOffset(byte[] b, int o)
    {
        bool v1 = ((b[o + 1] >> 3) & 3) == 3;
        bool mono = b[o + 3] >> 6 == 3;
        return o + 4 + (v1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
    }

    public static bool IsInfoFrame(byte[] b, int o)
    {
        int x = XingOffset(b, o);
        string tag = System.Text.Encoding.ASCII.GetString(b, x, 4);
        return tag == "Xing" || tag == "Info";
    }

    /// <summary>The encoder delay and padding of the LAME tag in the first frame (Xing flags 0x0F: tag at Xing + 120).</summary>
    public static (int Delay, int Padding) LameDelayPadding(byte[] b)
    {
        int x = XingOffset(b, Start(b)) + 120;
        int v = (b[x + 21] << 16) | (b[x + 22] << 8) | b[x + 23];
        return (v >> 12, v & 0xFFF);
    }

    public static uint InfoFrameCount(byte[] b)
    {
        int x = XingOffset(b, 0);
        return (uint)((b[x + 8] << 24) | (b[x + 9] << 16) | (b[x + 10] << 8) | b[x + 11]);
    }
}

/// <summary>Walks Ogg pages and checks their CRC with a bitwise CRC-32 (poly 0x04C11DB7, init 0, unreflected).</summary>
internal static class OggCheck
{
    public sealed record Page(uint Serial, uint Sequence, long Granule, bool Bos, bool Eos, int BodyLength, bool CrcValid);

    public static List<Page> Pages(byte[] b)
    {
        var pages = new List<Page>();
        int o = 0;
        while (o < b.Length)
        {
            if (System.Text.Encoding.ASCII.GetString(b, o, 4) != "OggS")
            {
                throw new InvalidDataException($"no Ogg page at {o}");
            }

            int segments = b[o + 26];
            int body = 0;
            for (int i = 0; i < segments; i++)
            {
                body += b[o + 27 + i];
            }

            int length = 27 + segments + body;
            var copy = new byte[length];
            Array.Copy(b, o, copy, 0, length);
            uint stored = BitConverter.ToUInt32(copy, 22);
            copy[22] = copy[23] = copy[24] = copy[25] = 0;
            pages.Add(new Page(BitConverter.ToUInt32(b, o + 14), BitConverter.ToUInt32(b, o + 18), BitConverter.ToInt64(b, o + 6),
                (b[o + 5] & 2) != 0, (b[o + 5] & 4) != 0, body, Crc32(copy) == stored));
            o += length;
        }

        return pages;
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0;
        foreach (byte value in data)
        {
            crc ^= (uint)value << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}

/// <summary>Reads FLAC frames with bitwise CRC-8 (poly 0x07) and CRC-16 (poly 0x8005) checkers.</summary>
internal static class FlacCheck
{
    public sealed record Frame(bool VariableBlockSize, long Number, int BlockSize, bool HeaderCrcValid, bool FrameCrcValid);

    public static List<(long Pos, int Size)> PacketsFromFfprobe(string path)
    {
        (int exit, string stdout, string stderr) = Ffmpeg.Run(Ffmpeg.FfprobePath!, "-v", "error", "-show_entries", "packet=pos,size", "-of", "csv=p=0", path);
        Assert.True(exit == 0, stderr);
        var packets = new List<(long, int)>();
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Trim().Split(',');
            int size = int.Parse(parts[0], CultureInfo.InvariantCulture);
            long pos = long.Parse(parts[1], CultureInfo.InvariantCulture);
            packets.Add((pos, size));
        }

        return packets;
    }

    public static Frame Read(byte[] b, int o, int size)
    {
        bool variable = (b[o + 1] & 1) != 0;
        int blockCode = b[o + 2] >> 4, rateCode = b[o + 2] & 0xF;
        int p = o + 4;
        int first = b[p];
        int n = first < 0x80 ? 1 : first >= 0xFE ? 7 : first >= 0xFC ? 6 : first >= 0xF8 ? 5 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2;
        long number = n == 1 ? first : first & (0x7F >> n);
        for (int k = 1; k < n; k++)
        {
            number = (number << 6) | (long)(b[p + k] & 0x3F);
        }

        p += n;
        int blockSize = blockCode switch
        {
            1 => 192,
            >= 2 and <= 5 => 576 << (blockCode - 2),
            6 => b[p] + 1,
            7 => ((b[p] << 8) | b[p + 1]) + 1,
            _ => 256 << (blockCode - 8),
        };
        p += (blockCode == 6 ? 1 : blockCode == 7 ? 2 : 0) + (rateCode == 12 ? 1 : rateCode is 13 or 14 ? 2 : 0);
        return new Frame(variable, number, blockSize, Crc8(b, o, p - o) == b[p], Crc16(b, o, size) == 0);
    }

    public static long StreamInfoTotalSamples(byte[] b)
    {
        long packed = 0;
        for (int k = 0; k < 8; k++)
        {
            packed = (packed << 8) | b[4 + 4 + 10 + k];
        }

        return packed & 0xFFFFFFFFFL;
    }

    private static int Crc8(byte[] b, int o, int count)
    {
        int crc = 0;
        for (int i = o; i < o + count; i++)
        {
            crc ^= b[i];
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
            }
        }

        return crc;
    }

    private static int Crc16(byte[] b, int o, int count)
    {
        int crc = 0;
        for (int i = o; i < o + count; i++)
        {
            crc ^= b[i] << 8;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc;
    }
}

/// <summary>A write-only, non-seekable stream, like a pipe or a network stream.</summary>
internal sealed class NonSeekableStream : Stream
{
    private readonly Stream _inner;

    public NonSeekableStream(Stream inner) => _inner = inner;

    public Action? OnWrite { get; set; }

    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _inner.Write(buffer, offset, count);
        Written += count;
        OnWrite?.Invoke();
    }
}
