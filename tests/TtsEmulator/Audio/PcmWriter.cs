using System;
using System.Buffers.Binary;

namespace TtsEmulator.Audio;

/// <summary>Raw s16le PCM and OpenAI's streamed WAV.</summary>
internal static class PcmWriter
{
    public static byte[] ToPcm(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        }

        return bytes;
    }

    /// <summary>
    /// WAV as OpenAI streams it: the header goes out before the length is known, so the RIFF size and the data
    /// size are both 0xFFFFFFFF. Clients that save the file must rewrite them; that is what this lets them test.
    /// </summary>
    public static byte[] ToStreamedWav(short[] samples, int sampleRate)
    {
        var bytes = new byte[44 + (samples.Length * 2)];
        Span<byte> h = bytes.AsSpan();
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], 0xFFFFFFFF);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1); // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 1); // mono
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], (uint)(sampleRate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], 0xFFFFFFFF);
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(h[(44 + (i * 2))..], samples[i]);
        }

        return bytes;
    }
}
