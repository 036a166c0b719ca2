using System;
using System.Collections.Generic;

namespace AitreTts.Core.Audio;

/// <summary>
/// Finds the frames of a frame-sequence format (MP3, ADTS): skips leading ID3v2 tags, stops before trailing
/// ID3v1/APEv2/ID3v2 tags, and resyncs over garbage. A header is believed when it starts exactly where the
/// previous frame ended, or, after garbage, only when the next header of the same stream follows it exactly
/// (or it ends the audio).
/// </summary>
internal static class FrameSync
{
    internal delegate bool TryParse<T>(byte[] buffer, int offset, out T header);

    /// <summary>Yields each frame's header with the reader positioned on the frame and the whole frame in its window.</summary>
    internal static IEnumerable<T> Frames<T>(ChunkReader reader, int headerSize, TryParse<T> tryParse, Func<T, T, bool> sameStream, Func<T, int> lengthOf, string formatName)
        where T : struct
    {
        SkipId3v2(reader);
        TrimTrailingTags(reader);
        T? locked = null;
        long garbage = 0, audio = 0;
        long expected = -1; // where the last accepted frame ended: a header there needs no further confirmation
        while (reader.Ensure(headerSize))
        {
            if (tryParse(reader.Buffer, reader.Offset, out T h) && (locked is null || sameStream(locked.Value, h)))
            {
                int length = lengthOf(h);
                bool accept = false;
                if (length > reader.Remaining)
                {
                    if (locked is not null)
                    {
                        throw AudioErrors.Chunk(reader, $"is truncated: the {formatName} frame at offset {reader.Position} needs {length} bytes, {reader.Remaining} remain");
                    }
                }
                else if (length == reader.Remaining || reader.Position == expected || (locked is not null && reader.Remaining - length < headerSize))
                {
                    accept = reader.Ensure(length);
                }
                else if (reader.Ensure(length + headerSize) && tryParse(reader.Buffer, reader.Offset + length, out T next) && sameStream(h, next))
                {
                    accept = true;
                }

                if (accept)
                {
                    locked = h;
                    audio += length;
                    expected = reader.Position + length;
                    yield return h;
                    reader.Skip(length);
                    continue;
                }
            }

            garbage++;
            reader.Skip(1);
        }

        garbage += Math.Max(0, reader.Remaining);
        if (audio == 0)
        {
            throw AudioErrors.Chunk(reader, $"holds no {formatName} audio frames");
        }

        if (garbage > audio)
        {
            throw AudioErrors.Chunk(reader, $"is mostly not {formatName} audio: {garbage} of its bytes are not frames");
        }
    }

    internal static void SkipId3v2(ChunkReader reader)
    {
        // An ID3v2 tag: "ID3", version, flags, then a 28-bit syncsafe size of what follows the 10-byte header,
        // plus a 10-byte footer when flag 0x10 is set. Encoders sometimes write more than one.
        while (reader.Ensure(10) && Bytes.Ascii(reader.Buffer, reader.Offset, "ID3"))
        {
            byte[] b = reader.Buffer;
            int o = reader.Offset;
            if (((b[o + 6] | b[o + 7] | b[o + 8] | b[o + 9]) & 0x80) != 0)
            {
                throw AudioErrors.Chunk(reader, "has an ID3v2 tag with an invalid size");
            }

            long size = (b[o + 6] << 21) | (b[o + 7] << 14) | (b[o + 8] << 7) | b[o + 9];
            long total = 10 + size + ((b[o + 5] & 0x10) != 0 ? 10 : 0);
            if (total > reader.Remaining)
            {
                throw AudioErrors.Chunk(reader, $"is truncated: its ID3v2 tag claims {total} bytes");
            }

            reader.Skip(total);
        }
    }

    internal static void TrimTrailingTags(ChunkReader reader)
    {
        var tail = new byte[32];
        while (true)
        {
            long end = reader.End;
            if (end - reader.Position >= 128 && reader.ReadAt(end - 128, tail, 3) && Bytes.Ascii(tail, 0, "TAG"))
            {
                reader.End = end - 128; // ID3v1
                continue;
            }

            if (end - reader.Position >= 32 && reader.ReadAt(end - 32, tail, 32) && Bytes.Ascii(tail, 0, "APETAGEX"))
            {
                // APEv2 footer: the size counts items and footer; a header (flag bit 31) adds 32 more.
                long size = Bytes.U32Le(tail, 12) + ((Bytes.U32Le(tail, 20) & 0x80000000) != 0 ? 32 : 0);
                if (size <= end - reader.Position)
                {
                    reader.End = end - size;
                    continue;
                }
            }

            if (end - reader.Position >= 10 && reader.ReadAt(end - 10, tail, 10) && Bytes.Ascii(tail, 0, "3DI") && ((tail[6] | tail[7] | tail[8] | tail[9]) & 0x80) == 0)
            {
                // An appended ID3v2.4 tag, found by its footer: header + body + footer.
                long size = 20 + ((tail[6] << 21) | (tail[7] << 14) | (tail[8] << 7) | tail[9]);
                if (size <= end - reader.Position)
                {
                    reader.End = end - size;
                    continue;
                }
            }

            return;
        }
    }
}
