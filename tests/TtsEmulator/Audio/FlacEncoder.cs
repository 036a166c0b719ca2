using System;
using System.Buffers.Binary;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace TtsEmulator.Audio;

/// <summary>
/// A small FLAC encoder for 16-bit mono: fLaC, STREAMINFO (with total samples and the MD5 of the samples),
/// a VORBIS_COMMENT, then frames of a fixed block size holding VERBATIM subframes, each with its CRC-8 header
/// check and CRC-16 footer. No compression, but every field is what a decoder verifies.
/// </summary>
internal static class FlacEncoder
{
    public const int BlockSize = 4096;

    public static byte[] Encode(short[] samples, int sampleRate)
    {
        int srCode = sampleRate switch
        {
            8000 => 4, 16000 => 5, 22050 => 6, 24000 => 7, 32000 => 8, 44100 => 9, 48000 => 10, 96000 => 11,
            _ => throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "no FLAC sample-rate code"),
        };

        using var frames = new MemoryStream();
        int minFrame = int.MaxValue;
        int maxFrame = 0;
        long frameNumber = 0;
        for (int offset = 0; offset < samples.Length; offset += BlockSize, frameNumber++)
        {
            int count = Math.Min(BlockSize, samples.Length - offset);
            byte[] frame = EncodeFrame(samples.AsSpan(offset, count), frameNumber, srCode);
            minFrame = Math.Min(minFrame, frame.Length);
            maxFrame = Math.Max(maxFrame, frame.Length);
            frames.Write(frame);
        }

        if (maxFrame == 0)
        {
            minFrame = 0;
        }

        using var output = new MemoryStream();
        output.Write("fLaC"u8);

        // METADATA_BLOCK_HEADER: not last, type 0 (STREAMINFO), length 34.
        output.Write(new byte[] { 0x00, 0x00, 0x00, 34 });
        var info = new byte[34];
        BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(0), BlockSize);
        BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(2), BlockSize);
        WriteUInt24(info.AsSpan(4), minFrame);
        WriteUInt24(info.AsSpan(7), maxFrame);

        // 20 bits sample rate, 3 bits channels-1, 5 bits bits-per-sample-1, 36 bits total samples.
        ulong packed = ((ulong)sampleRate << 44) | (0UL << 41) | (15UL << 36) | ((ulong)samples.Length & 0xFFFFFFFFFUL);
        BinaryPrimitives.WriteUInt64BigEndian(info.AsSpan(10), packed);
        MD5.HashData(PcmWriter.ToPcm(samples)).CopyTo(info, 18);
        output.Write(info);

        // METADATA_BLOCK_HEADER: last, type 4 (VORBIS_COMMENT): vendor string and no comments.
        byte[] vendor = Encoding.UTF8.GetBytes("TtsEmulator");
        int commentLength = 4 + vendor.Length + 4;
        output.WriteByte(0x80 | 4);
        var length = new byte[3];
        WriteUInt24(length, commentLength);
        output.Write(length);
        var le = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(le, vendor.Length);
        output.Write(le);
        output.Write(vendor);
        BinaryPrimitives.WriteInt32LittleEndian(le, 0);
        output.Write(le);

        frames.Position = 0;
        frames.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] EncodeFrame(ReadOnlySpan<short> block, long frameNumber, int srCode)
    {
        var frame = new byte[16 + 1 + (block.Length * 2) + 2];
        int p = 0;
        frame[p++] = 0xFF;
        frame[p++] = 0xF8; // sync 0b11111111111110, reserved 0, fixed block size
        bool fullBlock = block.Length == BlockSize;
        int bsCode = fullBlock ? 12 : 7; // 12: 256 * 2^(12-8) = 4096; 7: 16-bit (blocksize-1) follows
        frame[p++] = (byte)((bsCode << 4) | srCode);
        frame[p++] = 0x08; // channel assignment 0 (mono), sample size 100 (16 bits), reserved 0
        p += WriteUtf8Number(frame.AsSpan(p), frameNumber);
        if (!fullBlock)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(p), (ushort)(block.Length - 1));
            p += 2;
        }

        frame[p] = Checksums.Crc8(frame.AsSpan(0, p));
        p++;

        frame[p++] = 0x02; // zero pad bit, type 000001 (VERBATIM), no wasted bits
        foreach (short sample in block)
        {
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(p), sample);
            p += 2;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(p), Checksums.Crc16Flac(frame.AsSpan(0, p)));
        p += 2;
        return frame.AsSpan(0, p).ToArray();
    }

    /// <summary>The frame number in FLAC's extended UTF-8 coding (up to 36 bits).</summary>
    private static int WriteUtf8Number(Span<byte> target, long value)
    {
        if (value < 0x80)
        {
            target[0] = (byte)value;
            return 1;
        }

        int bytes = value < 0x800 ? 2 : value < 0x10000 ? 3 : value < 0x200000 ? 4 : value < 0x4000000 ? 5 : value < 0x80000000 ? 6 : 7;
        for (int i = bytes - 1; i > 0; i--)
        {
            target[i] = (byte)(0x80 | (value & 0x3F));
            value >>= 6;
        }

        int lead = bytes == 7 ? 0xFE : (0xFF << (8 - bytes)) & 0xFF;
        target[0] = (byte)(lead | (int)value);
        return bytes;
    }

    private static void WriteUInt24(Span<byte> target, int value)
    {
        target[0] = (byte)(value >> 16);
        target[1] = (byte)(value >> 8);
        target[2] = (byte)value;
    }
}
