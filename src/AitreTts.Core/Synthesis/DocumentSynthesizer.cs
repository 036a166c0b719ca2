using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Subtitles;
using AitreTts.Core.Text;

namespace AitreTts.Core.Synthesis;

internal sealed record DocumentResult
{
    /// <summary>The final path of the audio file.</summary>
    public string Path { get; init; } = string.Empty;

    public AudioFormat Format { get; init; }

    /// <summary>Characters of the document's text.</summary>
    public int Characters { get; init; }

    /// <summary>Requests the document needed.</summary>
    public int Chunks { get; init; }

    /// <summary>The <c>x-request-id</c> of each request, in order (null where the server sent none).</summary>
    public IReadOnlyList<string?> RequestIds { get; init; } = Array.Empty<string?>();

    /// <summary>The audio's duration.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The file's size.</summary>
    public long Bytes { get; init; }

    /// <summary>The subtitle sidecar's final path, or null when none was asked for.</summary>
    public string? SubtitlePath { get; init; }

    /// <summary>Requests the chunk cache served rather than the server.</summary>
    public int CachedChunks { get; init; }

    /// <summary>Every voice the audio is said in, in the order of first use.</summary>
    public IReadOnlyList<string> Voices { get; init; } = Array.Empty<string>();

    /// <summary>Every model the audio came from, in the order of first use.</summary>
    public IReadOnlyList<string> Models { get; init; } = Array.Empty<string>();
}

/// <summary>
/// The one way a document becomes audio, whatever its plan (plain, subtitled or paused): its requests are sent
/// concurrently (bounded by the call's shared <see cref="Slots"/>, else by <see cref="SpeechOptions.ThrottleLimit"/>),
/// joined in order into one valid file, with silence between paragraphs when asked, and each cue timed from its
/// own audio in the joined file (<see cref="ChunkTimeline"/>). The audio and its sidecar are committed as one
/// <see cref="OutputUnit"/>: any failure or cancellation removes every temporary file and leaves both targets as
/// they were.
/// </summary>
internal sealed class DocumentSynthesizer
{
    private readonly ISpeechSource _source;
    private readonly TtsLog _log;

    /// <param name="source">Where the audio comes from.</param>
    /// <param name="log">Verbose messages.</param>
    /// <param name="slots">The call's limit on requests in flight, shared by all its documents; null to limit each document to its own <see cref="SpeechOptions.ThrottleLimit"/>.</param>
    public DocumentSynthesizer(ISpeechSource source, TtsLog? log = null, RequestSlots? slots = null)
    {
        _source = source;
        _log = log ?? TtsLog.None;
        Slots = slots;
    }

    /// <summary>The call's shared limit on requests in flight, or null.</summary>
    public RequestSlots? Slots { get; }

    /// <summary>Synthesizes <paramref name="text"/>, as a plain document, into <paramref name="target"/>.</summary>
    public Task<DocumentResult> SynthesizeAsync(string text, SpeechOptions options, OutputTarget target, Action<SynthesisProgress>? progress, CancellationToken cancellationToken) =>
        SynthesizeAsync(SpeechPlan.For(text, options), new OutputUnit(target), progress, cancellationToken);

    /// <summary>Sends <paramref name="plan"/>'s requests and commits their audio (and subtitles) to <paramref name="output"/>.</summary>
    public async Task<DocumentResult> SynthesizeAsync(SpeechPlan plan, OutputUnit output, Action<SynthesisProgress>? progress, CancellationToken cancellationToken)
    {
        if (plan.Requests.Count == 0)
        {
            throw new TtsException(TtsErrorIds.InputEmpty, TtsErrorCategory.InvalidArgument, "The text is empty or only whitespace; there is nothing to speak.");
        }

        if (plan.Requests.Count > 1 && !plan.Segments.Segmented)
        {
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Split {0} characters into {1} chunks of at most {2}.", plan.Text.Length, plan.Requests.Count, TextSplitter.ApiMaximumCharacters));
        }

        using OutputWrite write = output.BeginWrite();
        var sent = new SentRequests(plan.Requests.Count);
        try
        {
            await SendAsync(plan, write, sent, progress, cancellationToken).ConfigureAwait(false);
            (string audioPath, TimeSpan duration, ChunkTimeline? timeline, IReadOnlyList<int> requestAt) = Assemble(plan, write, sent, cancellationToken);
            string? sidecarPath = plan.Segments.Subtitles is SubtitleFormat format ? WriteSubtitles(plan, write, format, timeline!, requestAt) : null;
            await sent.AllStored().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            CommittedOutput committed = write.Commit(audioPath, sidecarPath);
            return Written(plan, committed, duration, sent);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileErrors.From(ex, output.Audio.Directory);
        }
        finally
        {
            // A failed document's chunks are in the cache for its rerun by the time it reports the failure.
            await sent.AllStoredQuietly().ConfigureAwait(false);
        }
    }

    private sealed class SentRequests
    {
        public SentRequests(int count)
        {
            Paths = new string[count];
            RequestIds = new string?[count];
        }

        public string[] Paths { get; }

        public string?[] RequestIds { get; }

        public int FromCache;

        private readonly List<Task> _stored = new();

        public void Storing(Task stored)
        {
            lock (_stored)
            {
                _stored.Add(stored);
            }
        }

        // The cache reports its own trouble, so a store that faults is a defect: it fails a document that would
        // otherwise succeed, and does not hide the failure of one that already failed.
        public Task AllStored()
        {
            lock (_stored)
            {
                return Task.WhenAll(_stored);
            }
        }

        public Task AllStoredQuietly() =>
            AllStored().ContinueWith(static stored => _ = stored.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        // The one request whose audio becomes the file as it is: kept open past its request, to be put on disk after
        // its request slot is free (so the next request does not wait for the disk) without opening it again.
        public FileStream? KeptAsItIs;

        // Its playing time, when the source's check of the whole answer measured it: the file need not be read again.
        public TimeSpan? KeptDuration;
    }

    // The one request loop: every request of every kind of plan is sent here.
    private async Task SendAsync(SpeechPlan plan, OutputWrite write, SentRequests sent, Action<SynthesisProgress>? progress, CancellationToken cancellationToken)
    {
        int count = plan.Requests.Count;
        int done = 0;
        int charactersDone = 0;
        int charactersTotal = plan.Characters;
        progress?.Invoke(new SynthesisProgress(0, count, 0, charactersTotal));
        async Task SendOneAsync(int index, CancellationToken token)
        {
            FileStream? stream = null;
            try
            {
                stream = write.CreateTemporaryFile();
                sent.Paths[index] = stream.Name;
                SpeechResponse response = await _source.SynthesizeAsync(plan.RequestAt(index), stream, token).ConfigureAwait(false);
                sent.RequestIds[index] = response.RequestId;
                sent.Storing(response.Stored);
                if (response.FromCache)
                {
                    Interlocked.Increment(ref sent.FromCache);
                }

                if (plan.KeepsTheAudioAsItIs)
                {
                    sent.KeptAsItIs = stream;
                    sent.KeptDuration = response.Duration;
                    stream = null;
                }
            }
            catch (TtsException ex) when (count > 1)
            {
                throw ex.With(plan.Where(index) + " failed: " + ex.Message);
            }
            finally
            {
                stream?.Dispose();
            }

            int finished = Interlocked.Increment(ref done);
            int characters = Interlocked.Add(ref charactersDone, plan.Requests[index].Characters);
            progress?.Invoke(new SynthesisProgress(finished, count, characters, charactersTotal));
        }

        await ParallelRequests.RunAsync(count, Slots, plan.Options.ThrottleLimit, SendOneAsync, cancellationToken).ConfigureAwait(false);
    }

    // The audio file, sealed and not yet committed: the one request's audio as it is, or every request's audio joined
    // in order with silence where a paragraph changes or a break was written. requestAt maps each joined piece
    // to its request, -1 for a silence; the timeline, measured only for subtitles, gives each piece's span.
    private static (string Path, TimeSpan Duration, ChunkTimeline? Timeline, IReadOnlyList<int> RequestAt) Assemble(SpeechPlan plan, OutputWrite write, SentRequests sent, CancellationToken cancellationToken)
    {
        SpeechOptions options = plan.Options;
        if (sent.KeptAsItIs is FileStream kept)
        {
            sent.KeptAsItIs = null;
            string path = write.Seal(kept);
            TimeSpan duration = sent.KeptDuration is TimeSpan measured && options.Join.MeasureAsTheDefaults
                ? measured
                : AudioInspector.Inspect(options.FileFormat, path, options.Join).Duration;
            return (path, duration, null, new[] { 0 });
        }

        var pieces = new List<string>();
        var requestAt = new List<int>();
        // One silence file per length (a paragraph pause, each break), written once and reused.
        var silences = new Dictionary<int, string>();
        void AddSilence(int ms)
        {
            if (!silences.TryGetValue(ms, out string? silencePath))
            {
                using FileStream silence = write.CreateTemporaryFile();
                Silence.Write(options.Format, sent.Paths[0], ms, silence, options.Join, cancellationToken);
                silences[ms] = silencePath = silence.Name;
            }

            pieces.Add(silencePath);
            requestAt.Add(-1);
        }

        for (int i = 0; i < plan.Requests.Count; i++)
        {
            if (plan.PauseBeforeMs(i) is int pauseMs and > 0)
            {
                AddSilence(pauseMs);
            }

            pieces.Add(sent.Paths[i]);
            requestAt.Add(i);
        }

        if (plan.TrailingPauseMs > 0)
        {
            AddSilence(plan.TrailingPauseMs);
        }

        ChunkTimeline? timeline = plan.Segments.Subtitles is null ? null : ChunkTimeline.Measure(options.Format, pieces, options.Join, cancellationToken);
        FileStream joined = write.CreateTemporaryFile();
        // The join measured what it wrote; reading the file again would only repeat that.
        AudioInfo info = AudioJoiner.Join(options.Format, pieces, joined, options.Join, cancellationToken);
        return (write.Seal(joined), info.Duration, timeline, requestAt);
    }

    private static string WriteSubtitles(SpeechPlan plan, OutputWrite write, SubtitleFormat format, ChunkTimeline timeline, IReadOnlyList<int> requestAt)
    {
        var cues = new List<SubtitleCue>();
        for (int piece = 0; piece < requestAt.Count; piece++)
        {
            if (requestAt[piece] >= 0)
            {
                ChunkSpan span = timeline.Chunks[piece];
                cues.Add(new SubtitleCue(span.Start, span.End, plan.Requests[requestAt[piece]].CueText!));
            }
        }

        FileStream sidecar = write.CreateSidecarFile();
        SubtitleWriter.Write(format, cues, sidecar);
        return write.Seal(sidecar);
    }

    private DocumentResult Written(SpeechPlan plan, CommittedOutput committed, TimeSpan duration, SentRequests sent)
    {
        long bytes = new FileInfo(committed.AudioPath).Length;
        AudioFormat fileFormat = plan.Options.FileFormat;
        if (_log.ShowsVerbose)
        {
            _log.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "Wrote {0} bytes ({1:0.0} s of {2}, {3} request{4}) to {5}{6}.",
                bytes,
                duration.TotalSeconds,
                fileFormat.ToApiName(),
                plan.Requests.Count,
                plan.Requests.Count == 1 ? string.Empty : "s",
                committed.AudioPath,
                committed.SidecarPath is null ? string.Empty : " and its subtitles to " + committed.SidecarPath));
        }

        return new DocumentResult
        {
            Path = committed.AudioPath,
            Format = fileFormat,
            Characters = plan.Text.Length,
            Chunks = plan.Requests.Count,
            RequestIds = sent.RequestIds,
            Duration = duration,
            Bytes = bytes,
            SubtitlePath = committed.SidecarPath,
            CachedChunks = sent.FromCache,
            Voices = plan.Voices,
            Models = plan.Models,
        };
    }
}
