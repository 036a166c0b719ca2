using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>Where one chunk's audio plays in the joined file: [<see cref="StartSample"/>, <see cref="EndSample"/>).</summary>
internal readonly struct ChunkSpan
{
    public ChunkSpan(int index, long startSample, long endSample, int sampleRate)
    {
        Index = index;
        StartSample = startSample;
        EndSample = endSample;
        SampleRate = sampleRate;
    }

    /// <summary>The chunk's position in the list given to <see cref="ChunkTimeline.Measure"/>.</summary>
    public int Index { get; }

    /// <summary>The first sample of the chunk's own audio, counted from the first sample the joined file plays.</summary>
    public long StartSample { get; }

    /// <summary>The sample after the chunk's own audio.</summary>
    public long EndSample { get; }

    /// <summary>The rate the samples are counted at: the decoded rate (48000 for opus).</summary>
    public int SampleRate { get; }

    public TimeSpan Start => AudioInfo.FromSamples(StartSample, SampleRate);

    public TimeSpan End => AudioInfo.FromSamples(EndSample, SampleRate);

    public override string ToString() => FormattableString.Invariant($"chunk {Index + 1}: {Start.TotalSeconds:0.000}-{End.TotalSeconds:0.000} s");
}

/// <summary>
/// Where each chunk plays once <see cref="AudioJoiner"/> has joined them: measured from the chunks' frames and
/// samples with the joiner's own parsers, and placed by what the join keeps or trims at each boundary.
/// </summary>
/// <remarks>
/// <para>A chunk's span is the part a decoder plays of the chunk on its own (what ffmpeg decodes from it), placed
/// where the joined file plays it, so subtitle times are the audio's and the gaps between spans are what the join
/// leaves in the middle. Per format:</para>
/// <list type="bullet">
/// <item>wav, pcm, flac: the join is the samples end to end; exact.</item>
/// <item>aac: ADTS can signal no delay, so every frame plays, the join's and each chunk's alike (1024 samples per raw
/// data block), the encoder's priming too. A span starts after the 1024 samples of priming that ffmpeg's and most
/// AAC-LC encoders write (Apple's write 2112: 45 ms later at 24 kHz) and ends with the chunk's last frame, since the
/// padding at the end is not known either.</item>
/// <item>mp3: the joined file keeps every audio frame and one Info frame, whose LAME tag (when the first chunk has
/// one) carries the first chunk's encoder delay and the last chunk's padding. A decoder skips delay + 529 samples
/// (the decoder's own delay) at the start and stops at frames × samples per frame − padding + 529. A chunk with a
/// LAME tag plays [its delay + 529, its frames × spf − its padding + 529) of its frames, placed at its first
/// frame, exact to the sample against ffmpeg, which trims by the LAME tag this way. One without a LAME tag plays
/// all its frames; its span starts after LAME's usual delay of 576 + 529 samples and ends with its last frame (as if
/// its padding were LAME's least, the decoder's 529 samples). The inner delays and paddings stay as gaps between
/// spans.</item>
/// <item>opus: the joiner drops whole packets at the start of later chunks to absorb the inner pre-skips and end
/// trims, and end-trims the final page; the span is the chunk's [pre-skip, final granule) moved back by the
/// dropped samples. When more was dropped than the chunk's pre-skip, the first few milliseconds of the chunk (of a
/// speech chunk, the silence before the voice) are not in the joined file; the span still starts where they would
/// have played, over the previous chunk's end-trimmed tail, so the rest of it keeps its timing.</item>
/// </list>
/// <para>Spans are clamped to the joined file's playing time and never overlap: where a span would start before
/// the previous one ends, it starts there. A pause written by
/// <see cref="Silence"/> is measured like any other chunk of its format; subtitle cues use the speech chunks' spans.</para>
/// </remarks>
internal sealed class ChunkTimeline
{
    private const int Mp3DecoderDelay = 529;
    private const int Mp3UsualEncoderDelay = 576;
    private const int AacUsualPriming = 1024;

    private ChunkTimeline(IReadOnlyList<ChunkSpan> chunks, long totalSamples, int sampleRate)
    {
        Chunks = chunks;
        TotalSamples = totalSamples;
        SampleRate = sampleRate;
    }

    /// <summary>One span per chunk, in order.</summary>
    public IReadOnlyList<ChunkSpan> Chunks { get; }

    /// <summary>The samples the joined file plays.</summary>
    public long TotalSamples { get; }

    public int SampleRate { get; }

    public TimeSpan Duration => AudioInfo.FromSamples(TotalSamples, SampleRate);

    /// <summary>Measures where each of <paramref name="chunkPaths"/> will play once joined in that order.</summary>
    /// <exception cref="Errors.TtsException">A chunk is not valid audio of <paramref name="format"/> (<see cref="Errors.TtsErrorIds.AudioJoinFailed"/>).</exception>
    internal static ChunkTimeline Measure(AudioFormat format, IReadOnlyList<string> chunkPaths, AudioJoinOptions? options, CancellationToken cancellationToken)
    {
        if (chunkPaths is null)
        {
            throw new ArgumentNullException(nameof(chunkPaths));
        }

        if (chunkPaths.Count == 0)
        {
            throw new ArgumentException("At least one chunk is needed.", nameof(chunkPaths));
        }

        options ??= new AudioJoinOptions();
        return format switch
        {
            AudioFormat.Mp3 => MeasureMp3(chunkPaths, cancellationToken),
            AudioFormat.Opus => MeasureOpus(chunkPaths, cancellationToken),
            _ => MeasureEndToEnd(format, chunkPaths, options, cancellationToken),
        };
    }

    /// <summary>Formats whose join is every chunk's samples end to end, with nothing skipped.</summary>
    private static ChunkTimeline MeasureEndToEnd(AudioFormat format, IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        var raw = new (long Start, long End)[paths.Count];
        long position = 0;
        int sampleRate = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            long samples = 0, priming = 0;
            using (var reader = new ChunkReader(paths[i], i, cancellationToken))
            {
                switch (format)
                {
                    case AudioFormat.Pcm:
                        sampleRate = options.PcmSampleRate;
                        samples = reader.Length / 2;
                        break;
                    case AudioFormat.Wav:
                        WavCodec.WavLayout layout = WavCodec.Parse(reader);
                        sampleRate = i == 0 ? layout.SampleRate : sampleRate;
                        samples = layout.DataLength / layout.BlockAlign;
                        break;
                    case AudioFormat.Flac:
                        FlacCodec.ChunkFacts facts = FlacCodec.ReadMetadata(reader);
                        sampleRate = i == 0 ? facts.SampleRate : sampleRate;
                        foreach (FlacCodec.FrameHeader frame in FlacCodec.Frames(reader, facts))
                        {
                            samples += frame.BlockSize;
                        }

                        break;
                    case AudioFormat.Aac:
                        foreach (AdtsCodec.Header frame in AdtsCodec.Frames(reader))
                        {
                            sampleRate = sampleRate == 0 ? frame.SampleRate : sampleRate;
                            samples += frame.Blocks * 1024L;
                        }

                        priming = Math.Min(samples, AacUsualPriming);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(format), format, null);
                }
            }

            raw[i] = (position + priming, position + samples);
            position += samples;
        }

        return Build(raw, 0, position, sampleRate);
    }

    private static ChunkTimeline MeasureMp3(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var raw = new (long Start, long End)[paths.Count];
        long position = 0;
        int sampleRate = 0;
        Mp3Codec.TagFrame? firstTag = null, lastTag = null;
        for (int i = 0; i < paths.Count; i++)
        {
            Mp3Codec.TagFrame? tag = null;
            long samples = 0;
            using (var reader = new ChunkReader(paths[i], i, cancellationToken))
            {
                foreach (Mp3Codec.Header frame in Mp3Codec.AudioFrames(reader, (_, found) => tag = found))
                {
                    sampleRate = sampleRate == 0 ? frame.SampleRate : sampleRate;
                    samples += frame.SamplesPerFrame;
                }
            }

            raw[i] = HasLameTag(tag)
                ? (position + tag!.EncoderDelay + Mp3DecoderDelay, position + Math.Min(samples, samples - tag.EncoderPadding + Mp3DecoderDelay))
                : (position + Math.Min(samples, Mp3UsualEncoderDelay + Mp3DecoderDelay), position + samples);
            position += samples;
            firstTag = i == 0 ? tag : firstTag;
            lastTag = tag;
        }

        // The joiner keeps the first chunk's Xing frame (with the last chunk's padding) only when it is a Xing/Info
        // frame; otherwise it writes one without a LAME tag, and nothing is skipped or trimmed.
        bool trims = HasLameTag(firstTag) && firstTag!.IsXing;
        long skipped = trims ? firstTag!.EncoderDelay + Mp3DecoderDelay : 0;
        long played = trims ? Math.Min(position, position - (HasLameTag(lastTag) ? lastTag!.EncoderPadding : 0) + Mp3DecoderDelay) : position;
        return Build(raw, skipped, played, sampleRate);
    }

    private static bool HasLameTag(Mp3Codec.TagFrame? tag) => tag is not null && tag.LameOffset >= 0;

    private static ChunkTimeline MeasureOpus(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var raw = new (long Start, long End)[paths.Count];
        long written = 0, surplus = 0, wanted = 0, lastPacket = 0;
        OggOpusCodec.ChunkFacts? previous = null;
        int firstPreSkip = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            OggOpusCodec.ChunkFacts facts = OggOpusCodec.Scan(reader, keepTags: false);
            firstPreSkip = i == 0 ? facts.PreSkip : firstPreSkip;
            wanted += facts.Playable;
            if (previous is not null)
            {
                surplus += previous.EndTrim + facts.PreSkip;
            }

            // The joiner's rule (OggOpusCodec.Join): drop leading packets of a later chunk while that brings the
            // surplus closer to zero, keeping at least one.
            reader.Seek(0);
            long dropped = 0;
            bool atStart = previous is not null;
            int index = 0;
            foreach (OggPacket packet in Ogg.Packets(reader))
            {
                if (index++ < 2)
                {
                    continue;
                }

                int samples = OggOpusCodec.PacketSamples(packet.Data, packet.Length);
                if (atStart && 2 * surplus >= samples && dropped + samples < facts.Samples)
                {
                    surplus -= samples;
                    dropped += samples;
                    continue;
                }

                atStart = false;
                lastPacket = samples;
            }

            // Sample r of the chunk plays at written + r - dropped; when more than the pre-skip was dropped, the span
            // starts where the lost start would have played, over the previous chunk's end-trimmed tail.
            raw[i] = (written + facts.PreSkip - dropped, written + facts.FinalGranule - dropped);
            written += facts.Samples - dropped;
            previous = facts;
        }

        long finalGranule = Math.Min(written, Math.Max(written - lastPacket, firstPreSkip + wanted));
        return Build(raw, firstPreSkip, finalGranule, 48000);
    }

    /// <summary>
    /// The spans, from positions in the samples the joined file decodes to: <paramref name="skipped"/> samples are
    /// not played at its start, and playing stops at <paramref name="playedEnd"/>.
    /// </summary>
    private static ChunkTimeline Build((long Start, long End)[] raw, long skipped, long playedEnd, int sampleRate)
    {
        long total = Math.Max(0, playedEnd - skipped);
        var spans = new ChunkSpan[raw.Length];
        long previousEnd = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            long start = Math.Min(total, Math.Max(previousEnd, raw[i].Start - skipped));
            long end = Math.Min(total, Math.Max(start, raw[i].End - skipped));
            spans[i] = new ChunkSpan(i, start, end, sampleRate);
            previousEnd = end;
        }

        return new ChunkTimeline(spans, total, sampleRate);
    }
}
