using System;
using System.Collections.Generic;

namespace AitreTts.Core.Audio;

/// <summary>One packet of an Ogg logical stream, valid until the enumeration moves on.</summary>
internal readonly struct OggPacket
{
    public OggPacket(byte[] data, int length, long pageGranule, bool lastOnPage, bool pageEndsStream)
    {
        Data = data;
        Length = length;
        PageGranule = pageGranule;
        LastOnPage = lastOnPage;
        PageEndsStream = pageEndsStream;
    }

    public byte[] Data { get; }

    public int Length { get; }

    /// <summary>The granule position of the page on which the packet completes.</summary>
    public long PageGranule { get; }

    /// <summary>Whether this is the last packet that completes on its page (the one the granule position describes).</summary>
    public bool LastOnPage { get; }

    /// <summary>Whether that page carries the end-of-stream flag.</summary>
    public bool PageEndsStream { get; }
}

/// <summary>Reads and writes Ogg pages (RFC 3533).</summary>
internal static class Ogg
{
    public const int HeaderSize = 27;
    public const byte FlagContinued = 1;
    public const byte FlagFirst = 2;
    public const byte FlagLast = 4;

    // Opus packets are at most 120 ms of 1275-byte frames; OpusTags can carry cover art. Bound the reassembly
    // buffer so garbage cannot make us allocate without limit.
    private const int MaxPacket = 16 * 1024 * 1024;

    /// <summary>
    /// Yields the packets of the single logical stream in the chunk, verifying every page: capture pattern,
    /// version, CRC-32, one serial number, consecutive sequence numbers, and packets continued across pages.
    /// </summary>
    public static IEnumerable<OggPacket> Packets(ChunkReader reader)
    {
        var packet = new byte[4096];
        int packetLength = 0;
        bool inPacket = false;
        uint serial = 0;
        uint expectedSequence = 0;
        bool first = true;
        while (reader.Remaining > 0)
        {
            long pageOffset = reader.Position;
            if (!reader.Ensure(HeaderSize) || !Bytes.Ascii(reader.Buffer, reader.Offset, "OggS"))
            {
                throw reader.Ensure(4) && Bytes.Ascii(reader.Buffer, reader.Offset, "OggS")
                    ? AudioErrors.Chunk(reader, $"is truncated: the Ogg page at offset {pageOffset} is incomplete")
                    : AudioErrors.Chunk(reader, $"is not a valid Ogg stream: no Ogg page starts at offset {pageOffset}");
            }

            byte[] b = reader.Buffer;
            int o = reader.Offset;
            if (b[o + 4] != 0)
            {
                throw AudioErrors.Chunk(reader, $"has an Ogg page of unknown version {b[o + 4]} at offset {pageOffset}");
            }

            byte flags = b[o + 5];
            long granule = (long)Bytes.U64Le(b, o + 6);
            uint pageSerial = Bytes.U32Le(b, o + 14);
            uint sequence = Bytes.U32Le(b, o + 18);
            uint storedCrc = Bytes.U32Le(b, o + 22);
            int segments = b[o + 26];
            if (!reader.Ensure(HeaderSize + segments))
            {
                throw AudioErrors.Chunk(reader, $"is truncated: the Ogg page at offset {pageOffset} is incomplete");
            }

            int bodyLength = 0;
            for (int i = 0; i < segments; i++)
            {
                bodyLength += reader[HeaderSize + i];
            }

            int pageLength = HeaderSize + segments + bodyLength;
            if (!reader.Ensure(pageLength))
            {
                throw AudioErrors.Chunk(reader, $"is truncated: the Ogg page at offset {pageOffset} needs {pageLength} bytes, {reader.Remaining} remain");
            }

            b = reader.Buffer;
            o = reader.Offset;
            if (PageCrc(b, o, pageLength) != storedCrc)
            {
                throw AudioErrors.Chunk(reader, $"is corrupt: the Ogg page at offset {pageOffset} fails its CRC check");
            }

            if (first)
            {
                if ((flags & FlagFirst) == 0)
                {
                    throw AudioErrors.Chunk(reader, "is not a complete Ogg stream: its first page is not a beginning-of-stream page");
                }

                serial = pageSerial;
                expectedSequence = sequence;
                first = false;
            }
            else if (pageSerial != serial)
            {
                throw AudioErrors.Chunk(reader, $"holds more than one Ogg logical stream (serials {serial:X8} and {pageSerial:X8}); chained or multiplexed streams cannot be joined");
            }

            if (sequence != expectedSequence)
            {
                throw AudioErrors.Chunk(reader, $"is missing Ogg pages: page {sequence} at offset {pageOffset} follows page {expectedSequence - 1}");
            }

            expectedSequence = sequence + 1;
            if (((flags & FlagContinued) != 0) != inPacket)
            {
                throw AudioErrors.Chunk(reader, $"is corrupt: the Ogg page at offset {pageOffset} {(inPacket ? "does not continue the packet left open" : "continues a packet that never began")}");
            }

            // Find the last packet completing on this page, so its consumer knows which granule it carries.
            int lastComplete = -1;
            for (int i = 0; i < segments; i++)
            {
                if (b[o + HeaderSize + i] < 255)
                {
                    lastComplete = i;
                }
            }

            int body = o + HeaderSize + segments;
            for (int i = 0; i < segments; i++)
            {
                int lacing = b[o + HeaderSize + i];
                if (packetLength + lacing > MaxPacket)
                {
                    throw AudioErrors.Chunk(reader, $"holds an Ogg packet larger than {MaxPacket} bytes");
                }

                if (packetLength + lacing > packet.Length)
                {
                    Array.Resize(ref packet, Math.Max(packetLength + lacing, packet.Length * 2));
                }

                System.Buffer.BlockCopy(b, body, packet, packetLength, lacing);
                packetLength += lacing;
                body += lacing;
                inPacket = true;
                if (lacing < 255)
                {
                    yield return new OggPacket(packet, packetLength, granule, i == lastComplete, (flags & FlagLast) != 0);

                    // The consumer may have moved nothing, but the window may have been refilled: re-read it.
                    b = reader.Buffer;
                    o = reader.Offset;
                    body = o + HeaderSize + segments + SumLacing(b, o + HeaderSize, i + 1);
                    packetLength = 0;
                    inPacket = false;
                }
            }

            reader.Skip(pageLength);
        }

        if (first)
        {
            throw AudioErrors.Chunk(reader, "is empty");
        }

        if (inPacket)
        {
            throw AudioErrors.Chunk(reader, "is truncated: its last Ogg packet is unfinished");
        }
    }

    /// <summary>The CRC-32 of a page, computed as if its CRC field were zero.</summary>
    public static uint PageCrc(byte[] b, int o, int length)
    {
        uint crc = Crc.Ogg(0, b, o, 22);
        crc = Crc.Ogg(crc, ZeroCrcField, 0, 4);
        return Crc.Ogg(crc, b, o + 26, length - 26);
    }

    private static readonly byte[] ZeroCrcField = new byte[4];

    private static int SumLacing(byte[] b, int o, int count)
    {
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += b[o + i];
        }

        return sum;
    }
}

/// <summary>Writes one Ogg logical stream: one serial number, consecutive sequence numbers, fresh CRCs.</summary>
internal sealed class OggPageWriter
{
    // Pages of 4 to 8 KiB: small enough for quick seeking, large enough that page overhead stays under 1%.
    private const int TargetBody = 4096;
    private const int MaxBody = 8192;

    private readonly OutputSink _sink;
    private readonly uint _serial;
    private readonly byte[] _body = new byte[255 * 255];
    private readonly byte[] _lacing = new byte[255];
    private uint _sequence;
    private int _bodyLength;
    private int _segments;
    private int _packets;
    private long _granule;
    private bool _first = true;

    public OggPageWriter(OutputSink sink, uint serial)
    {
        _sink = sink;
        _serial = serial;
    }

    /// <summary>Pages written so far.</summary>
    public uint Pages => _sequence;

    /// <summary>Writes a header packet on pages of its own, continued across pages if it is long; granule 0.</summary>
    public void WriteHeaderPacket(byte[] data, int length)
    {
        // A packet of n bytes takes n/255 + 1 lacing values (the last one below 255, possibly 0); a page holds
        // 255 of them, so a long packet (OpusTags with cover art) continues on further pages.
        int total = (length / 255) + 1;
        int done = 0, offset = 0;
        while (done < total)
        {
            int count = Math.Min(255, total - done);
            int bytes = 0;
            for (int i = 0; i < count; i++)
            {
                int lacing = done + i == total - 1 ? length % 255 : 255;
                _lacing[i] = (byte)lacing;
                bytes += lacing;
            }

            System.Buffer.BlockCopy(data, offset, _body, 0, bytes);
            _segments = count;
            _bodyLength = bytes;
            bool completes = done + count == total;
            WritePage((byte)(done > 0 ? Ogg.FlagContinued : 0), completes ? 0 : -1, false);
            done += count;
            offset += bytes;
        }
    }

    /// <summary>Adds an audio packet; <paramref name="granuleAfter"/> is the stream's sample count once it is decoded.</summary>
    public void AddPacket(byte[] data, int offset, int length, long granuleAfter)
    {
        int segments = length / 255 + 1;
        if (segments > 255)
        {
            throw new InvalidOperationException("An Opus packet cannot exceed 65024 bytes."); // rejected while reading
        }

        if (_packets > 0 && (_bodyLength >= TargetBody || _bodyLength + length > MaxBody || _segments + segments > 255))
        {
            WritePage(0, _granule, false);
        }

        for (int i = 0; i < segments; i++)
        {
            _lacing[_segments++] = (byte)(i < segments - 1 ? 255 : length % 255);
        }

        System.Buffer.BlockCopy(data, offset, _body, _bodyLength, length);
        _bodyLength += length;
        _packets++;
        _granule = granuleAfter;
    }

    /// <summary>Writes the last page with the end-of-stream flag and the given (possibly end-trimmed) granule position.</summary>
    public void Finish(long finalGranule) => WritePage(0, finalGranule, true);

    private void WritePage(byte flags, long granule, bool last)
    {
        var header = new byte[Ogg.HeaderSize + _segments];
        header[0] = (byte)'O';
        header[1] = (byte)'g';
        header[2] = (byte)'g';
        header[3] = (byte)'S';
        header[5] = (byte)(flags | (_first ? Ogg.FlagFirst : 0) | (last ? Ogg.FlagLast : 0));
        Bytes.PutU64Le(header, 6, (ulong)granule);
        Bytes.PutU32Le(header, 14, _serial);
        Bytes.PutU32Le(header, 18, _sequence++);
        header[26] = (byte)_segments;
        System.Buffer.BlockCopy(_lacing, 0, header, Ogg.HeaderSize, _segments);
        uint crc = Crc.Ogg(0, header, 0, header.Length);
        crc = Crc.Ogg(crc, _body, 0, _bodyLength);
        Bytes.PutU32Le(header, 22, crc);
        _sink.Write(header);
        _sink.Write(_body, 0, _bodyLength);
        _first = false;
        _bodyLength = 0;
        _segments = 0;
        _packets = 0;
    }
}
