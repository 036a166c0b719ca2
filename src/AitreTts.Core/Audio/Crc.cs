namespace AitreTts.Core.Audio;

/// <summary>The checksums the containers use; each is table-driven and computed incrementally.</summary>
internal static class Crc
{
    private static readonly uint[] OggTable = BuildMsb32(0x04C11DB7);
    private static readonly byte[] Crc8Table = BuildMsb8(0x07);
    private static readonly ushort[] Crc16Table = BuildMsb16(0x8005);
    private static readonly ushort[] Crc16ArcTable = BuildLsb16(0xA001);

    /// <summary>Ogg's CRC-32: polynomial 0x04C11DB7, initial value 0, not reflected, no final xor.</summary>
    public static uint Ogg(uint crc, byte[] data, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
        {
            crc = (crc << 8) ^ OggTable[(crc >> 24) ^ data[i]];
        }

        return crc;
    }

    /// <summary>FLAC's frame header CRC-8: polynomial 0x07, initial value 0.</summary>
    public static byte Crc8(byte crc, byte[] data, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
        {
            crc = Crc8Table[crc ^ data[i]];
        }

        return crc;
    }

    /// <summary>FLAC's frame CRC-16: polynomial 0x8005, initial value 0, not reflected.</summary>
    public static ushort Crc16(ushort crc, byte[] data, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
        {
            crc = (ushort)((crc << 8) ^ Crc16Table[(crc >> 8) ^ data[i]]);
        }

        return crc;
    }

    /// <summary>FLAC's CRC-16, one byte at a time.</summary>
    public static ushort Crc16(ushort crc, byte value) => (ushort)((crc << 8) ^ Crc16Table[(crc >> 8) ^ value]);

    /// <summary>CRC-16/ARC (reflected 0x8005, initial value 0), used by the LAME tag of MP3 files.</summary>
    public static ushort Crc16Arc(ushort crc, byte[] data, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
        {
            crc = (ushort)((crc >> 8) ^ Crc16ArcTable[(crc ^ data[i]) & 0xFF]);
        }

        return crc;
    }

    private static uint[] BuildMsb32(uint poly)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int b = 0; b < 8; b++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ poly : r << 1;
            }

            table[i] = r;
        }

        return table;
    }

    private static byte[] BuildMsb8(byte poly)
    {
        var table = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            int r = i;
            for (int b = 0; b < 8; b++)
            {
                r = (r & 0x80) != 0 ? ((r << 1) ^ poly) & 0xFF : (r << 1) & 0xFF;
            }

            table[i] = (byte)r;
        }

        return table;
    }

    private static ushort[] BuildMsb16(ushort poly)
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int r = i << 8;
            for (int b = 0; b < 8; b++)
            {
                r = (r & 0x8000) != 0 ? ((r << 1) ^ poly) & 0xFFFF : (r << 1) & 0xFFFF;
            }

            table[i] = (ushort)r;
        }

        return table;
    }

    private static ushort[] BuildLsb16(ushort poly)
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int r = i;
            for (int b = 0; b < 8; b++)
            {
                r = (r & 1) != 0 ? (r >> 1) ^ poly : r >> 1;
            }

            table[i] = (ushort)r;
        }

        return table;
    }
}
