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
    private const int OpusRate = 48000;
    private const int OpusPacketSamples = 960;
    private const int FlacMaximumBlock = 4096;

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
        if (referenceChunkPath is null && format != AudioFormat.Pcm)
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
        TimeSpan duration = format switch
        {
            AudioFormat.Pcm => WritePcm(milliseconds, sink, options),
            AudioFormat.Wav => WriteWav(referenceChunkPath!, milliseconds, sink, cancellationToken),
            AudioFormat.Flac => WriteFlac(referenceChunkPath!, milliseconds, sink, cancellationToken),
            AudioFormat.Mp3 => WriteMp3(referenceChunkPath!, milliseconds, sink, cancellationToken),
            AudioFormat.Aac => WriteAac(referenceChunkPath!, milliseconds, sink, cancellationToken),
            AudioFormat.Opus => WriteOpus(referenceChunkPath!, milliseconds, sink, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
        sink.Flush();
        return duration;
    }

    private static long SamplesOf(int milliseconds, int sampleRate) => ((long)milliseconds * sampleRate + 500) / 1000;

    /// <summary>The nearest whole number of frames, at least one.</summary>
    private static long FramesOf(int milliseconds, int sampleRate, int samplesPerFrame) =>
        Math.Max(1, (SamplesOf(milliseconds, sampleRate) + (samplesPerFrame / 2)) / samplesPerFrame);

    private static void WriteFilled(OutputSink sink, long count, byte value)
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

    private static TimeSpan WritePcm(int milliseconds, OutputSink sink, AudioJoinOptions options)
    {
        if (options.PcmSampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PcmSampleRate, "PcmSampleRate must be positive.");
        }

        long samples = SamplesOf(milliseconds, options.PcmSampleRate);
        WriteFilled(sink, samples * 2, 0);
        return AudioInfo.FromSamples(samples, options.PcmSampleRate);
    }

    private static TimeSpan WriteWav(string referencePath, int milliseconds, OutputSink sink, CancellationToken cancellationToken)
    {
        WavCodec.WavLayout layout;
        using (var reader = new ChunkReader(referencePath, 0, cancellationToken))
        {
            layout = WavCodec.Parse(reader);
        }

        long samples = SamplesOf(milliseconds, layout.SampleRate);
        long length = samples * layout.BlockAlign;
        sink.Write(WavCodec.CanonicalHeader(layout.FormatTag, layout.Channels, layout.SampleRate, layout.BitsPerSample, length));

        // Unsigned 8-bit samples are silent at their midpoint; every other WAV sample format at zero.
        WriteFilled(sink, length, layout.BitsPerSample == 8 && layout.FormatTag == 1 ? (byte)0x80 : (byte)0);
        if ((length & 1) != 0)
        {
            sink.WriteByte(0);
        }

        return AudioInfo.FromSamples(samples, layout.SampleRate);
    }

    private static TimeSpan WriteFlac(string referencePath, int milliseconds, OutputSink sink, CancellationToken cancellationToken)
    {
        FlacCodec.ChunkFacts facts;
        using (var reader = new ChunkReader(referencePath, 0, cancellationToken))
        {
            facts = FlacCodec.ReadMetadata(reader);
        }

        // Blocks as equal as possible, so none is below the 16 samples STREAMINFO allows (only a stream's last may be).
        long samples = Math.Max(16, SamplesOf(milliseconds, facts.SampleRate));
        long blocks = (samples + FlacMaximumBlock - 1) / FlacMaximumBlock;
        int smallBlock = (int)(samples / blocks);
        int largerBlocks = (int)(samples % blocks);

        var info = new byte[4 + 4 + 34];
        info[0] = (byte)'f';
        info[1] = (byte)'L';
        info[2] = (byte)'a';
        info[3] = (byte)'C';
        info[4] = 0x80; // STREAMINFO, the last metadata block
        Bytes.PutU24Be(info, 5, 34);
        Bytes.PutU16Be(info, 8, smallBlock);
        Bytes.PutU16Be(info, 10, largerBlocks > 0 ? smallBlock + 1 : smallBlock);
        ulong packed = ((ulong)facts.SampleRate << 44) | ((ulong)(facts.Channels - 1) << 41) | ((ulong)(facts.BitsPerSample - 1) << 36) | (ulong)samples;
        for (int k = 0; k < 8; k++)
        {
            info[18 + k] = (byte)(packed >> (56 - (8 * k)));
        }

        sink.Write(info); // frame sizes and MD5 stay zero: "unknown"

        // Each channel a CONSTANT subframe (a zero header byte) holding one zero sample: the body is all zero bits.
        int bodyLength = ((facts.Channels * (8 + facts.BitsPerSample)) + 7) / 8;
        var frame = new byte[16 + bodyLength + 2];
        long first = 0;
        for (long block = 0; block < blocks; block++)
        {
            int blockSize = smallBlock + (block < largerBlocks ? 1 : 0);
            int n = 0;
            frame[n++] = 0xFF;
            frame[n++] = 0xF9; // variable block size: the header numbers the frame's first sample
            frame[n++] = (byte)(0x70 | FlacCodec.SampleRateCode(facts.SampleRate)); // block size: 16 bits after the number
            frame[n++] = (byte)(((facts.Channels - 1) << 4) | (FlacCodec.SampleSizeCode(facts.BitsPerSample) << 1));
            n += FlacCodec.WriteUtf8(frame, n, (ulong)first);
            Bytes.PutU16Be(frame, n, blockSize - 1);
            n += 2;
            frame[n] = Crc.Crc8(0, frame, 0, n);
            n++;
            Array.Clear(frame, n, bodyLength);
            n += bodyLength;
            Bytes.PutU16Be(frame, n, Crc.Crc16(0, frame, 0, n));
            n += 2;
            sink.Write(frame, 0, n);
            first += blockSize;
        }

        return AudioInfo.FromSamples(samples, facts.SampleRate);
    }

    private static TimeSpan WriteMp3(string referencePath, int milliseconds, OutputSink sink, CancellationToken cancellationToken)
    {
        Mp3Codec.Header reference = default;
        using (var reader = new ChunkReader(referencePath, 0, cancellationToken))
        {
            foreach (Mp3Codec.Header h in Mp3Codec.AudioFrames(reader))
            {
                reference = h;
                break;
            }
        }

        if (reference.BitrateIndex == 0)
        {
            throw AudioErrors.Chunk(0, referencePath, "holds no MP3 audio frames");
        }

        // The reference's version, rate, channel mode and bitrate, without CRC or padding; main_data_begin 0, so
        // no frame borrows from the bit reservoir across the pause, and part2_3_length 0: nothing to decode.
        var silent = new Mp3Codec.Header(reference.VersionBits, false, reference.BitrateIndex, reference.SampleRateIndex, false, reference.ChannelMode);
        var frame = new byte[silent.Length];
        frame[0] = 0xFF;
        frame[1] = (byte)(0xE0 | (silent.VersionBits << 3) | (1 << 1) | 1);
        frame[2] = (byte)((silent.BitrateIndex << 4) | (silent.SampleRateIndex << 2));
        frame[3] = (byte)(silent.ChannelMode << 6);
        long frames = FramesOf(milliseconds, silent.SampleRate, silent.SamplesPerFrame);
        for (long i = 0; i < frames; i++)
        {
            sink.Write(frame);
        }

        return AudioInfo.FromSamples(frames * silent.SamplesPerFrame, silent.SampleRate);
    }

    private static TimeSpan WriteAac(string referencePath, int milliseconds, OutputSink sink, CancellationToken cancellationToken)
    {
        var header = new byte[7];
        AdtsCodec.Header reference = default;
        bool found = false;
        using (var reader = new ChunkReader(referencePath, 0, cancellationToken))
        {
            foreach (AdtsCodec.Header h in AdtsCodec.Frames(reader))
            {
                System.Buffer.BlockCopy(reader.Buffer, reader.Offset, header, 0, 7);
                reference = h;
                found = true;
                break;
            }
        }

        // Main (0) and LC (1) share this raw data block syntax; one or two channels are an SCE or a CPE.
        if (!found || reference.Profile > 1 || reference.ChannelConfig < 1 || reference.ChannelConfig > 2)
        {
            throw AudioErrors.Chunk(0, referencePath, found
                ? $"holds {reference.Describe()}, for which no silent frame can be made (only AAC Main or LC, mono or stereo)"
                : "holds no AAC (ADTS) audio frames");
        }

        byte[] payload = SilentAacBlock(reference.ChannelConfig);
        int length = 7 + payload.Length;
        header[1] = (byte)((header[1] & 0xF8) | 0x01); // keep the MPEG version; no CRC
        header[3] = (byte)((header[3] & 0xC0) | (length >> 11));
        header[4] = (byte)(length >> 3);
        header[5] = (byte)(((length & 7) << 5) | 0x1F); // buffer fullness 0x7FF: variable bitrate
        header[6] = 0xFC; // ... and one raw data block
        long frames = FramesOf(milliseconds, reference.SampleRate, 1024);
        for (long i = 0; i < frames; i++)
        {
            sink.Write(header);
            sink.Write(payload);
        }

        return AudioInfo.FromSamples(frames * 1024, reference.SampleRate);
    }

    /// <summary>
    /// One AAC raw_data_block (ISO/IEC 14496-3 section 4.4.2) with nothing to decode: a single or channel pair
    /// element whose individual channel streams are long windows with max_sfb 0, then the END element.
    /// </summary>
    private static byte[] SilentAacBlock(int channels)
    {
        var bits = new BitWriter(8);
        bits.Put(channels == 1 ? 0 : 1, 3); // id_syn_ele: SCE or CPE
        bits.Put(0, 4); // element_instance_tag
        if (channels == 2)
        {
            bits.Put(0, 1); // common_window
        }

        for (int channel = 0; channel < channels; channel++)
        {
            bits.Put(0, 8); // global_gain
            bits.Put(0, 1); // ics_reserved_bit
            bits.Put(0, 2); // window_sequence: ONLY_LONG_SEQUENCE
            bits.Put(0, 1); // window_shape
            bits.Put(0, 6); // max_sfb: no bands, so no section, scale factor or spectral data
            bits.Put(0, 1); // predictor_data_present
            bits.Put(0, 3); // pulse, tns and gain control data absent
        }

        bits.Put(7, 3); // id_syn_ele: END
        return bits.ToArray();
    }

    private static TimeSpan WriteOpus(string referencePath, int milliseconds, OutputSink sink, CancellationToken cancellationToken)
    {
        OggOpusCodec.ChunkFacts facts;
        using (var reader = new ChunkReader(referencePath, 0, cancellationToken))
        {
            facts = OggOpusCodec.Scan(reader, keepTags: true);
        }

        // Mapping family 0 is one Opus stream of one or two channels; other families hold several streams per packet.
        if (facts.Head[18] != 0)
        {
            throw AudioErrors.Chunk(0, referencePath, $"uses Opus channel mapping family {facts.Head[18]}, for which no silent packet can be made (only family 0, mono or stereo)");
        }

        // The chunk's OpusHead with no pre-skip: silence needs no warm-up, and its whole length then plays.
        var head = (byte[])facts.Head.Clone();
        Bytes.PutU16Le(head, 10, 0);

        // TOC: CELT-only, fullband, 20 ms (configuration 31), mono or stereo, one frame; then a range-coded frame
        // whose first symbol is the silence flag set.
        byte[] packet = { (byte)(0xF8 | (facts.Channels == 2 ? 0x04 : 0)), 0xFF, 0xFE };
        long samples = SamplesOf(milliseconds, OpusRate);
        long packets = (samples + OpusPacketSamples - 1) / OpusPacketSamples;
        var writer = new OggPageWriter(sink, 0x41697472); // any serial: the joiner keeps the first chunk's
        writer.WriteHeaderPacket(head, head.Length);
        writer.WriteHeaderPacket(facts.Tags, facts.Tags.Length);
        for (long i = 1; i <= packets; i++)
        {
            writer.AddPacket(packet, 0, packet.Length, i * OpusPacketSamples);
        }

        writer.Finish(samples); // end-trims the last packet to the exact length
        return AudioInfo.FromSamples(samples, OpusRate);
    }

    /// <summary>Writes bits most significant first, as MPEG bitstreams are read.</summary>
    private sealed class BitWriter
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
