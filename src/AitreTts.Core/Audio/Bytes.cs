namespace AitreTts.Core.Audio;

/// <summary>Little- and big-endian reads and writes, the same on every runtime whatever the machine's byte order.</summary>
internal static class Bytes
{
    public static ushort U16Le(byte[] b, int o) => (ushort)(b[o] | (b[o + 1] << 8));

    public static uint U32Le(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));

    public static ulong U64Le(byte[] b, int o) => U32Le(b, o) | ((ulong)U32Le(b, o + 4) << 32);

    public static ushort U16Be(byte[] b, int o) => (ushort)((b[o] << 8) | b[o + 1]);

    public static uint U24Be(byte[] b, int o) => (uint)((b[o] << 16) | (b[o + 1] << 8) | b[o + 2]);

    public static uint U32Be(byte[] b, int o) => (uint)((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);

    public static void PutU16Le(byte[] b, int o, int v)
    {
        b[o] = (byte)v;
        b[o + 1] = (byte)(v >> 8);
    }

    public static void PutU32Le(byte[] b, int o, uint v)
    {
        b[o] = (byte)v;
        b[o + 1] = (byte)(v >> 8);
        b[o + 2] = (byte)(v >> 16);
        b[o + 3] = (byte)(v >> 24);
    }

    public static void PutU64Le(byte[] b, int o, ulong v)
    {
        PutU32Le(b, o, (uint)v);
        PutU32Le(b, o + 4, (uint)(v >> 32));
    }

    public static void PutU16Be(byte[] b, int o, int v)
    {
        b[o] = (byte)(v >> 8);
        b[o + 1] = (byte)v;
    }

    public static void PutU24Be(byte[] b, int o, uint v)
    {
        b[o] = (byte)(v >> 16);
        b[o + 1] = (byte)(v >> 8);
        b[o + 2] = (byte)v;
    }

    public static void PutU32Be(byte[] b, int o, uint v)
    {
        b[o] = (byte)(v >> 24);
        b[o + 1] = (byte)(v >> 16);
        b[o + 2] = (byte)(v >> 8);
        b[o + 3] = (byte)v;
    }

    public static bool Ascii(byte[] b, int o, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (b[o + i] != (byte)text[i])
            {
                return false;
            }
        }

        return true;
    }
}
