using System;

namespace TtsEmulator.Audio;

/// <summary>The checksums the audio containers need, each written out rather than borrowed.</summary>
internal static class Checksums
{
    private static readonly uint[] OggTable = BuildOggTable();

    /// <summary>FLAC frame header CRC-8: polynomial x^8 + x^2 + x + 1 (0x07), initial 0, not reflected.</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        int crc = 0;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
            }
        }

        return (byte)crc;
    }

    /// <summary>FLAC frame footer CRC-16: polynomial 0x8005, initial 0, not reflected.</summary>
    public static ushort Crc16Flac(ReadOnlySpan<byte> data)
    {
        int crc = 0;
        foreach (byte b in data)
        {
            crc ^= b << 8;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return (ushort)crc;
    }

    /// <summary>CRC-16/ARC (polynomial 0x8005 reflected, initial 0): the LAME tag's music and tag CRCs.</summary>
    public static ushort Crc16Arc(ReadOnlySpan<byte> data, ushort crc = 0)
    {
        int c = crc;
        foreach (byte b in data)
        {
            c ^= b;
            for (int i = 0; i < 8; i++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ 0xA001 : c >> 1;
            }
        }

        return (ushort)c;
    }

    /// <summary>Ogg page CRC-32: polynomial 0x04C11DB7, initial 0, no reflection, no final xor.</summary>
    public static uint OggCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc = (crc << 8) ^ OggTable[((crc >> 24) ^ b) & 0xFF];
        }

        return crc;
    }

    private static uint[] BuildOggTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int j = 0; j < 8; j++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}
