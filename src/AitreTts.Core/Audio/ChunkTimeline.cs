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
/// leaves in the middle. Each codec's <see cref="AudioCodec.Measure"/> says how its format is placed.</para>
/// <para>Spans are clamped to the joined file's playing time and never overlap: where a span would start before
/// the previous one ends, it starts there. A pause written by
/// <see cref="Silence"/> is measured like any other chunk of its format; subtitle cues use the speech chunks' spans.</para>
/// </remarks>
internal sealed class ChunkTimeline
{
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

        return AudioCodec.For(format).Measure(chunkPaths, options ?? new AudioJoinOptions(), cancellationToken);
    }

    /// <summary>What one chunk holds, for a format whose join is every chunk's samples end to end.</summary>
    /// <param name="Samples">Every sample the chunk decodes to.</param>
    /// <param name="Priming">Samples at its start that are not its speech (encoder priming).</param>
    /// <param name="SampleRate">Its rate; 0 when the chunk cannot tell.</param>
    internal sealed record ChunkSamples(long Samples, long Priming, int SampleRate);

    /// <summary>
    /// The timeline of a format whose join is every chunk's samples end to end, with nothing skipped: each chunk
    /// read by <paramref name="measureChunk"/>, counted at the first rate a chunk reports.
    /// </summary>
    internal static ChunkTimeline EndToEnd(IReadOnlyList<string> paths, CancellationToken cancellationToken, Func<ChunkReader, int, ChunkSamples> measureChunk)
    {
        var raw = new (long Start, long End)[paths.Count];
        long position = 0;
        int sampleRate = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            ChunkSamples chunk;
            using (var reader = new ChunkReader(paths[i], i, cancellationToken))
            {
                chunk = measureChunk(reader, i);
            }

            sampleRate = sampleRate == 0 ? chunk.SampleRate : sampleRate;
            raw[i] = (position + chunk.Priming, position + chunk.Samples);
            position += chunk.Samples;
        }

        return FromPositions(raw, 0, position, sampleRate);
    }

    /// <summary>
    /// The spans, from positions in the samples the joined file decodes to: <paramref name="skipped"/> samples are
    /// not played at its start, and playing stops at <paramref name="playedEnd"/>.
    /// </summary>
    internal static ChunkTimeline FromPositions((long Start, long End)[] raw, long skipped, long playedEnd, int sampleRate)
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
