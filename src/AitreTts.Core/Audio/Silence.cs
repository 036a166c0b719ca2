using System;
using System.IO;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// Writes a chunk of silence that <see cref="AudioJoiner"/> joins like any other chunk: a pause between paragraphs,
/// as real audio in the format and stream parameters of the chunks around it.
/// </summary>
/// <remarks>
/// <para>The parameters come from a reference chunk of the same document, read by the same parsers the joiner uses,
/// so the joiner never finds a mismatch: for mp3 the MPEG version, sample rate, channel mode and bitrate of its
/// first audio frame; for aac the ADTS header of its first frame (MPEG version, profile, sampling index, channel
/// configuration); for opus its OpusHead (channels, mapping) and OpusTags; for flac and wav the sample rate,
/// channels and sample format; for pcm the configured rate.</para>
/// <para>What is silent in each: mp3 frames whose side information and main data are zeros (no spectral data, the
/// same frame the joiner writes for its synthesized Info frame); AAC-LC raw data blocks with max_sfb 0 (no spectral
/// data); Opus CELT frames whose first symbol is the silence flag (RFC 6716 section 4.3, the 3-byte packet libopus
/// itself sends for digital silence); FLAC CONSTANT subframes of value 0; zero samples (0x80 for 8-bit wav).</para>
/// <para>Duration: exact for flac, wav and pcm; exact for opus (whole 20 ms packets, end-trimmed by the final
/// granule position); the nearest whole number of frames for mp3 (576 or 1152 samples) and aac (1024 samples),
/// at least one, since those formats cannot say where playing stops inside a frame.</para>
/// </remarks>
internal static class Silence
{
    /// <summary>
    /// Writes <paramref name="milliseconds"/> of silence as a complete file of <paramref name="format"/> to
    /// <paramref name="destination"/> (flushed, not closed), in the stream parameters of <paramref name="referenceChunkPath"/>.
    /// </summary>
    /// <param name="format">The format of the document's chunks.</param>
    /// <param name="referenceChunkPath">A chunk of the document the silence will be joined with; unused for pcm.</param>
    /// <param name="milliseconds">How long the silence lasts; positive.</param>
    /// <param name="destination">Where the silence goes.</param>
    /// <param name="options">Settings for headerless pcm; null means the defaults.</param>
    /// <param name="cancellationToken">Checked between buffers.</param>
    /// <returns>How long the silence plays, decoded on its own.</returns>
    /// <exception cref="Errors.TtsException">
    /// The reference chunk is not valid audio of <paramref name="format"/>, or its stream cannot be matched with silence
    /// (<see cref="Errors.TtsErrorIds.AudioJoinFailed"/>).
    /// </exception>
    internal static TimeSpan Write(AudioFormat format, string referenceChunkPath, int milliseconds, Stream destination, AudioJoinOptions? options, CancellationToken cancellationToken)
    {
        AudioCodec codec = AudioCodec.For(format);
        if (referenceChunkPath is null && codec.SilenceNeedsReference)
        {
            throw new ArgumentNullException(nameof(referenceChunkPath));
        }

        if (destination is null)
        {
            throw new ArgumentNullException(nameof(destination));
        }

        if (milliseconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "A pause must last at least one millisecond.");
        }

        options ??= new AudioJoinOptions();
        var sink = new OutputSink(destination, cancellationToken);
        TimeSpan duration = codec.WriteSilence(referenceChunkPath, milliseconds, sink, options, cancellationToken);
        sink.Flush();
        return duration;
    }

    internal static long SamplesOf(int milliseconds, int sampleRate) => ((long)milliseconds * sampleRate + 500) / 1000;

    /// <summary>The nearest whole number of frames, at least one.</summary>
    internal static long FramesOf(int milliseconds, int sampleRate, int samplesPerFrame) =>
        Math.Max(1, (SamplesOf(milliseconds, sampleRate) + (samplesPerFrame / 2)) / samplesPerFrame);

    internal static void WriteFilled(OutputSink sink, long count, byte value)
    {
        var block = new byte[(int)Math.Min(count, ChunkReader.DefaultBufferSize)];
        if (value != 0)
        {
            for (int i = 0; i < block.Length; i++)
            {
                block[i] = value;
            }
        }

        for (long left = count; left > 0; left -= block.Length)
        {
            sink.Write(block, 0, (int)Math.Min(left, block.Length));
        }
    }

    /// <summary>Writes bits most significant first, as MPEG bitstreams are read.</summary>
    internal sealed class BitWriter
    {
        private readonly byte[] _bytes;
        private int _bit;

        public BitWriter(int capacity) => _bytes = new byte[capacity];

        public void Put(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                if (((value >> i) & 1) != 0)
                {
                    _bytes[_bit >> 3] |= (byte)(0x80 >> (_bit & 7));
                }

                _bit++;
            }
        }

        public byte[] ToArray()
        {
            var result = new byte[(_bit + 7) / 8];
            System.Buffer.BlockCopy(_bytes, 0, result, 0, result.Length);
            return result;
        }
    }
}
