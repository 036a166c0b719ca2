using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Subtitles;
using AitreTts.Core.Text;

namespace AitreTts.Core.Synthesis;

/// <summary>One request of a document that is cut by paragraph (for pauses) or by cue (for subtitles).</summary>
internal sealed class DocumentSegment
{
    public DocumentSegment(int paragraph, string requestText, string? cueText)
    {
        Paragraph = paragraph;
        RequestText = requestText;
        CueText = cueText;
    }

    /// <summary>The zero-based paragraph; a pause goes where it changes.</summary>
    public int Paragraph { get; }

    /// <summary>The text sent.</summary>
    public string RequestText { get; }

    /// <summary>The subtitle cue the segment's audio carries, or null without subtitles.</summary>
    public string? CueText { get; }
}

/// <summary>What -Subtitles and -ParagraphPauseMs ask of a document.</summary>
internal sealed class SegmentOptions
{
    /// <summary>The sidecar's format, or null for none.</summary>
    public SubtitleFormat? Subtitles { get; init; }

    /// <summary>Silence between paragraphs, in milliseconds; 0 for none.</summary>
    public int ParagraphPauseMs { get; init; }

    /// <summary>The options of -Subtitles (Srt, Vtt, or null) and -ParagraphPauseMs.</summary>
    public static SegmentOptions From(string? subtitles, int paragraphPauseMs) => new()
    {
        Subtitles = subtitles is null ? null : (SubtitleFormat)Enum.Parse(typeof(SubtitleFormat), subtitles, ignoreCase: true),
        ParagraphPauseMs = paragraphPauseMs,
    };

    /// <summary>True when the document needs the segmented path rather than the plain chunked one.</summary>
    public bool Segmented => Subtitles is not null || ParagraphPauseMs > 0;

    /// <summary>
    /// The requests of <paramref name="text"/>: with subtitles one per cue (so each cue's time is measured from its
    /// own audio, never estimated); else each paragraph split as the plain path splits a document.
    /// </summary>
    public IReadOnlyList<DocumentSegment> Segment(string text)
    {
        if (Subtitles is not null)
        {
            return SubtitleCueSplitter.Split(text).Select(cue => new DocumentSegment(cue.Paragraph, cue.Text, cue.Text)).ToList();
        }

        var segments = new List<DocumentSegment>();
        int paragraph = 0;
        foreach (string paragraphText in SubtitleCueSplitter.Paragraphs(text))
        {
            segments.AddRange(TextSplitter.Split(paragraphText).Select(chunk => new DocumentSegment(paragraph, chunk.RequestText, null)));
            paragraph++;
        }

        return segments;
    }
}

/// <summary>
/// Turns one document into an audio file with silence between paragraphs and, when asked, a subtitle sidecar whose
/// cue times are those of each cue's own audio in the joined file (<see cref="ChunkTimeline"/>). Requests run under the
/// call's shared <see cref="RequestSlots"/>, else up to <see cref="SpeechOptions.ThrottleLimit"/> at once. Both files are written beside the target under temporary
/// names and moved into place only when both are complete; any failure or cancellation leaves neither half-written.
/// </summary>
internal sealed class SubtitledDocument
{
    private readonly ISpeechSource _source;
    private readonly TtsLog _log;
    private readonly RequestSlots? _slots;

    /// <param name="source">Where the audio comes from.</param>
    /// <param name="log">Verbose messages.</param>
    /// <param name="slots">The call's limit on requests in flight, shared by all its documents; null to limit this document to its own <see cref="SpeechOptions.ThrottleLimit"/>.</param>
    public SubtitledDocument(ISpeechSource source, TtsLog? log = null, RequestSlots? slots = null)
    {
        _source = source;
        _log = log ?? TtsLog.None;
        _slots = slots;
    }

    public async Task<DocumentResult> SynthesizeAsync(
        string text,
        IReadOnlyList<DocumentSegment> segments,
        SegmentOptions segmentOptions,
        SpeechOptions options,
        OutputTarget target,
        Action<SynthesisProgress>? progress,
        CancellationToken cancellationToken)
    {
        if (segments.Count == 0)
        {
            throw new TtsException(TtsErrorIds.InputEmpty, TtsErrorCategory.InvalidArgument, "The text is empty or only whitespace; there is nothing to speak.");
        }

        var segmentPaths = new string?[segments.Count];
        var requestIds = new string?[segments.Count];
        var temporary = new List<string>();
        try
        {
            int done = 0;
            int cachedSegments = 0;
            int charactersDone = 0;
            int charactersTotal = segments.Sum(s => s.RequestText.Length);
            progress?.Invoke(new SynthesisProgress { ChunksTotal = segments.Count, CharactersTotal = charactersTotal });
            async Task SynthesizeSegmentAsync(int index, CancellationToken token)
            {
                DocumentSegment segment = segments[index];
                try
                {
                    using FileStream stream = CreateTemporary(target, temporary, out string path);
                    segmentPaths[index] = path;
                    var request = new SpeechRequest(options.Model, segment.RequestText, options.Voice, options.Format, options.Speed, options.Instructions);
                    SpeechResponse response = await _source.SynthesizeAsync(request, stream, token).ConfigureAwait(false);
                    requestIds[index] = response.RequestId;
                    if (response.FromCache)
                    {
                        Interlocked.Increment(ref cachedSegments);
                    }
                }
                catch (TtsException ex) when (segments.Count > 1)
                {
                    throw ex.With(string.Format(CultureInfo.InvariantCulture, "Request {0} of {1} (\"{2}\") failed: {3}", index + 1, segments.Count, Abbreviate(segment.RequestText), ex.Message));
                }

                int finished = Interlocked.Increment(ref done);
                int characters = Interlocked.Add(ref charactersDone, segment.RequestText.Length);
                progress?.Invoke(new SynthesisProgress { ChunksDone = finished, ChunksTotal = segments.Count, CharactersDone = characters, CharactersTotal = charactersTotal });
            }

            await ParallelRequests.RunAsync(segments.Count, _slots, options.ThrottleLimit, SynthesizeSegmentAsync, cancellationToken).ConfigureAwait(false);

            // The joined order: each segment, with one silence file (written once, reused) where the paragraph changes.
            var paths = new List<string>();
            var segmentAt = new List<int>();
            string? silencePath = null;
            for (int i = 0; i < segments.Count; i++)
            {
                if (i > 0 && segmentOptions.ParagraphPauseMs > 0 && segments[i].Paragraph != segments[i - 1].Paragraph)
                {
                    if (silencePath is null)
                    {
                        using FileStream silence = CreateTemporary(target, temporary, out string path);
                        Silence.Write(options.Format, segmentPaths[0]!, segmentOptions.ParagraphPauseMs, silence, options.Join, cancellationToken);
                        silencePath = path;
                    }

                    paths.Add(silencePath);
                    segmentAt.Add(-1);
                }

                segmentAt.Add(i);
                paths.Add(segmentPaths[i]!);
            }

            ChunkTimeline? timeline = segmentOptions.Subtitles is null ? null : ChunkTimeline.Measure(options.Format, paths, options.Join, cancellationToken);
            AudioInfo info;
            string joinedPath;
            using (FileStream joined = CreateTemporary(target, temporary, out joinedPath))
            {
                info = AudioJoiner.Join(options.Format, paths, joined, options.Join, cancellationToken);
                await joined.FlushAsync(cancellationToken).ConfigureAwait(false);
                joined.Flush(flushToDisk: true);
            }

            string? sidecarTemporary = null;
            if (segmentOptions.Subtitles is SubtitleFormat subtitleFormat)
            {
                var cues = new List<SubtitleCue>();
                for (int p = 0; p < paths.Count; p++)
                {
                    if (segmentAt[p] >= 0)
                    {
                        ChunkSpan span = timeline!.Chunks[p];
                        cues.Add(new SubtitleCue(span.Start, span.End, segments[segmentAt[p]].CueText!));
                    }
                }

                using FileStream sidecar = CreateTemporary(target, temporary, out string sidecarPath);
                SubtitleWriter.Write(subtitleFormat, cues, sidecar);
                sidecar.Flush(flushToDisk: true);
                sidecarTemporary = sidecarPath;
            }

            cancellationToken.ThrowIfCancellationRequested();
            string committed = target.Commit(joinedPath);
            string? subtitlePath = null;
            if (sidecarTemporary is not null)
            {
                // Beside the audio under its final name (a generated name may have moved on to "(1)"), replaced like it.
                string wanted = Path.ChangeExtension(committed, SubtitleWriter.ExtensionOf(segmentOptions.Subtitles!.Value));
                subtitlePath = OutputTarget.ForUserPath(wanted, noClobber: false, force: target.Force).Commit(sidecarTemporary);
            }

            long bytes = new FileInfo(committed).Length;
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Wrote {0} bytes ({1:0.0} s of {2}, {3} requests) to {4}{5}.", bytes, info.Duration.TotalSeconds, options.FileFormat.ToApiName(), segments.Count, committed, subtitlePath is null ? string.Empty : " and its subtitles to " + subtitlePath));
            return new DocumentResult
            {
                Path = committed,
                Format = options.FileFormat,
                Characters = text.Length,
                Chunks = segments.Count,
                RequestIds = requestIds,
                Duration = info.Duration,
                Bytes = bytes,
                SubtitlePath = subtitlePath,
                CachedChunks = cachedSegments,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileErrors.From(ex, target.Directory);
        }
        finally
        {
            lock (temporary)
            {
                foreach (string path in temporary)
                {
                    PartialFiles.DeleteQuietly(path);
                }
            }
        }
    }

    private static FileStream CreateTemporary(OutputTarget target, List<string> temporary, out string path)
    {
        FileStream stream = target.CreateTemporaryFile(out path);
        lock (temporary)
        {
            temporary.Add(path);
        }

        return stream;
    }

    private static string Abbreviate(string text) => text.Length <= 40 ? text : text.Substring(0, 40) + "...";
}
