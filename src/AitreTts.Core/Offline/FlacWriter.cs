using System;
using System.IO;
using AitreTts.Core.Audio;

namespace AitreTts.Core.Offline;

/// <summary>
/// Writes 16-bit mono samples as native FLAC (RFC 9639): the fLaC marker, STREAMINFO with the true sample
/// count, a VORBIS_COMMENT naming the writer, then fixed-blocksize frames with VERBATIM subframes. No
/// compression, but every field a decoder or <see cref="FlacCodec"/> checks is real, CRC-8 and CRC-16 included.
/// </summary>
/// <remarks>
/// STREAMINFO's MD5 stays zero ("not computed", which the format allows): MD5 throws on Windows machines that
/// enforce FIPS mode, and the joined documents <see cref="FlacCodec"/> writes carry a zero MD5 too.
/// </remarks>
internal static class FlacWriter
{
    private const int BlockSize = 4096;
    private const int BlockSizeCode = 12;   // 256 << (12 - 8) = 4096
    private const int ExplicitSizeCode = 7; // a 16-bit (block size - 1) follows the frame number
    private const int Mono16Bit = 0x08;     // channel assignment 0 (mono), sample size 100 (16 bits)
    private const byte Verbatim = 0x02;     // zero pad bit, subframe type 000001, no wasted bits
    private const string Vendor = "AitreTts offline provider";

    public static byte[] Write(short[] samples, int sampleRate)
    {
        int rateCode = FlacCodec.SampleRateCode(sampleRate);
        if (rateCode == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "FLAC has no sample-rate code for this rate.");
        }

        var output = new MemoryStream();
        output.Write(new[] { (byte)'f', (byte)'L', (byte)'a', (byte)'C' }, 0, 4);

        int frameCount = (samples.Length + BlockSize - 1) / BlockSize;
        int minFrame = int.MaxValue, maxFrame = 0;
        for (int frame = 0; frame < frameCount; frame++)
        {
            int length = FrameLength(Math.Min(BlockSize, samples.Length - (frame * BlockSize)), frame);
            minFrame = Math.Min(minFrame, length);
            maxFrame = Math.Max(maxFrame, length);
        }

        // STREAMINFO, with more blocks to follow. Its minimum block size leaves out the last block, unless that is the only one.
        var header = new byte[4 + 34];
        Bytes.PutU24Be(header, 1, 34);
        int minBlock = frameCount == 1 ? Math.Max(16, samples.Length) : BlockSize;
        Bytes.PutU16Be(header, 4, minBlock);
        Bytes.PutU16Be(header, 6, Math.Max(minBlock, BlockSize));
        Bytes.PutU24Be(header, 8, (uint)minFrame);
        Bytes.PutU24Be(header, 11, (uint)maxFrame);
        ulong packed = ((ulong)sampleRate << 44) | (15UL << 36) | (uint)samples.Length; // mono, 16 bits
        Bytes.PutU32Be(header, 14, (uint)(packed >> 32));
        Bytes.PutU32Be(header, 18, (uint)packed);
        output.Write(header, 0, header.Length);

        var comment = new byte[4 + 4 + Vendor.Length + 4];
        comment[0] = 0x80 | 4; // VORBIS_COMMENT, the last block
        Bytes.PutU24Be(comment, 1, (uint)(comment.Length - 4));
        Bytes.PutU32Le(comment, 4, (uint)Vendor.Length);
        for (int i = 0; i < Vendor.Length; i++)
        {
            comment[8 + i] = (byte)Vendor[i];
        }

        output.Write(comment, 0, comment.Length); // and a comment count of zero

        for (int frame = 0; frame < frameCount; frame++)
        {
            int first = frame * BlockSize;
            int count = Math.Min(BlockSize, samples.Length - first);
            byte[] bytes = Frame(samples, first, count, frame, rateCode);
            output.Write(bytes, 0, bytes.Length);
        }

        return output.ToArray();
    }

    private static byte[] Frame(short[] samples, int first, int count, int frameNumber, int rateCode)
    {
        var frame = new byte[FrameLength(count, frameNumber)];
        bool fullBlock = count == BlockSize;
        frame[0] = 0xFF;
        frame[1] = 0xF8; // sync code, fixed block size: the header carries the frame number
        frame[2] = (byte)(((fullBlock ? BlockSizeCode : ExplicitSizeCode) << 4) | rateCode);
        frame[3] = Mono16Bit;
        int p = 4 + FlacCodec.WriteUtf8(frame, 4, (ulong)frameNumber);
        if (!fullBlock)
        {
            Bytes.PutU16Be(frame, p, count - 1);
            p += 2;
        }

        frame[p] = Crc.Crc8(0, frame, 0, p);
        frame[++p] = Verbatim;
        p++;
        for (int i = 0; i < count; i++, p += 2)
        {
            Bytes.PutU16Be(frame, p, samples[first + i]);
        }

        Bytes.PutU16Be(frame, p, Crc.Crc16(0, frame, 0, p));
        return frame;
    }

    private static int FrameLength(int count, int frameNumber) =>
        4 + FlacCodec.Utf8Length((ulong)frameNumber) + (count == BlockSize ? 0 : 2) + 1 + 1 + (2 * count) + 2;
}
