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
using AitreTts.Core.Text;

namespace AitreTts.Core.Synthesis;

/// <summary>The voice options of one document.</summary>
internal sealed class SpeechOptions
{
    public string Model { get; set; } = "tts-1";

    public string Voice { get; set; } = "alloy";

    /// <summary>The format asked of the server.</summary>
    public AudioFormat Format { get; set; } = AudioFormats.Default;

    /// <summary>The speed, 0.25 to 4.0.</summary>
    public double Speed { get; set; } = 1.0;

    /// <summary>Voice direction, or null.</summary>
    public string? Instructions { get; set; }

    /// <summary>How many chunks of one document are synthesized at once.</summary>
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>pcm sample rate and wrapping.</summary>
    public AudioJoinOptions Join { get; set; } = new();

    /// <summary>The format of the file written: wav when pcm is wrapped, else <see cref="Format"/>.</summary>
    public AudioFormat FileFormat => AudioCodec.For(Format).FileFormat(Join);
}

/// <summary>Progress of one document, reported from worker threads.</summary>
internal sealed class SynthesisProgress
{
    /// <summary>Chunks finished.</summary>
    public int ChunksDone { get; init; }

    /// <summary>Chunks in the document.</summary>
    public int ChunksTotal { get; init; }

    /// <summary>Characters of the finished chunks.</summary>
    public int CharactersDone { get; init; }

    /// <summary>Characters in the document.</summary>
    public int CharactersTotal { get; init; }
}

internal sealed class DocumentResult
{
    /// <summary>The final path of the audio file.</summary>
    public string Path { get; init; } = string.Empty;

    public AudioFormat Format { get; init; }

    /// <summary>Characters of the document's text.</summary>
    public int Characters { get; init; }

    /// <summary>Requests the document needed.</summary>
    public int Chunks { get; init; }

    /// <summary>The <c>x-request-id</c> of each chunk, in order (null where the server sent none).</summary>
    public IReadOnlyList<string?> RequestIds { get; init; } = Array.Empty<string?>();

    /// <summary>The audio's duration.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The file's size.</summary>
    public long Bytes { get; init; }

    /// <summary>The subtitle sidecar's final path, or null when none was asked for.</summary>
    public string? SubtitlePath { get; init; }

    /// <summary>Chunks read from the chunk cache rather than requested.</summary>
    public int CachedChunks { get; init; }
}

/// <summary>
/// Turns one document into one audio file: splits it into chunks the API accepts, synthesizes them concurrently
/// (bounded by the shared <see cref="Slots"/>, else by <see cref="SpeechOptions.ThrottleLimit"/>), joins them in order into one valid file, and moves it
/// into place. Any failure or cancellation removes every temporary file and leaves an existing target untouched.
/// </summary>
internal sealed class DocumentSynthesizer
{
    private readonly ISpeechSource _client;
    private readonly TtsLog _log;

    /// <param name="client">Where the audio comes from.</param>
    /// <param name="log">Verbose messages.</param>
    /// <param name="slots">The call's limit on requests in flight, shared by all its documents; null to limit each document to its own <see cref="SpeechOptions.ThrottleLimit"/>.</param>
    public DocumentSynthesizer(ISpeechSource client, TtsLog? log = null, RequestSlots? slots = null)
    {
        _client = client;
        _log = log ?? TtsLog.None;
        Slots = slots;
    }

    /// <summary>Where the audio comes from; <see cref="SubtitledDocument"/> sends its requests there too.</summary>
    public ISpeechSource Source => _client;

    /// <summary>The call's shared limit on requests in flight, or null.</summary>
    public RequestSlots? Slots { get; }

    /// <summary>Synthesizes <paramref name="text"/> into <paramref name="target"/>.</summary>
    public Task<DocumentResult> SynthesizeAsync(
        string text,
        SpeechOptions options,
        OutputTarget target,
        Action<SynthesisProgress>? progress,
        CancellationToken cancellationToken) =>
        SynthesizeAsync(text, TextSplitter.Split(text), options, target, progress, cancellationToken);

    /// <summary>Synthesizes <paramref name="text"/>, already split into <paramref name="chunks"/> by <see cref="TextSplitter.Split"/>.</summary>
    public async Task<DocumentResult> SynthesizeAsync(
        string text,
        IReadOnlyList<TextChunk> chunks,
        SpeechOptions options,
        OutputTarget target,
        Action<SynthesisProgress>? progress,
        CancellationToken cancellationToken)
    {
        if (chunks.Count == 0)
        {
            throw new TtsException(TtsErrorIds.InputEmpty, TtsErrorCategory.InvalidArgument, "The text is empty or only whitespace; there is nothing to speak.");
        }

        if (chunks.Count > 1)
        {
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Split {0} characters into {1} chunks of at most {2}.", text.Length, chunks.Count, TextSplitter.ApiMaximumCharacters));
        }

        var chunkPaths = new string?[chunks.Count];
        var requestIds = new string?[chunks.Count];
        string? joinedPath = null;
        // The one chunk that becomes the file as it is: kept open past its request, to be flushed to disk after its
        // request slot is free (so the next request does not wait for the disk) without opening the file again.
        bool renamedAsItIs = chunks.Count == 1 && AudioCodec.For(options.Format).KeepsSingleChunkAsSent(options.Join);
        FileStream? unflushed = null;
        try
        {
            int done = 0;
            int charactersDone = 0;
            int cachedChunks = 0;
            progress?.Invoke(new SynthesisProgress { ChunksTotal = chunks.Count, CharactersTotal = text.Length });
            async Task SynthesizeChunkAsync(int index, CancellationToken token)
            {
                TextChunk chunk = chunks[index];
                FileStream? stream = null;
                try
                {
                    stream = target.CreateTemporaryFile(out string path);
                    chunkPaths[chunk.Index] = path;
                    var request = new SpeechRequest(options.Model, chunk.RequestText, options.Voice, options.Format, options.Speed, options.Instructions);
                    SpeechResponse response = await _client.SynthesizeAsync(request, stream, token).ConfigureAwait(false);
                    requestIds[chunk.Index] = response.RequestId;
                    if (response.FromCache)
                    {
                        Interlocked.Increment(ref cachedChunks);
                    }

                    if (renamedAsItIs)
                    {
                        unflushed = stream;
                        stream = null;
                    }
                }
                catch (TtsException ex) when (chunks.Count > 1)
                {
                    throw InChunk(ex, chunk, chunks.Count);
                }
                finally
                {
                    stream?.Dispose();
                }

                int finished = Interlocked.Increment(ref done);
                int characters = Interlocked.Add(ref charactersDone, chunk.Length);
                progress?.Invoke(new SynthesisProgress { ChunksDone = finished, ChunksTotal = chunks.Count, CharactersDone = characters, CharactersTotal = text.Length });
            }

            await ParallelRequests.RunAsync(chunks.Count, Slots, options.ThrottleLimit, SynthesizeChunkAsync, cancellationToken).ConfigureAwait(false);

            string[] finishedPaths = chunkPaths.Select(p => p!).ToArray();
            AudioFormat fileFormat = options.FileFormat;
            string finalPath;
            AudioInfo info;
            if (unflushed is not null)
            {
                // This file is renamed into place as it is: it must be on disk first, as a joined file is.
                finalPath = finishedPaths[0];
                unflushed.Flush(flushToDisk: true);
                unflushed.Dispose();
                unflushed = null;
                info = AudioInspector.Inspect(fileFormat, finalPath, options.Join);
            }
            else
            {
                using FileStream joined = target.CreateTemporaryFile(out string path);
                joinedPath = path;
                // The join measured what it wrote; reading the file again would only repeat that.
                info = AudioJoiner.Join(options.Format, finishedPaths, joined, options.Join, cancellationToken);
                await joined.FlushAsync(cancellationToken).ConfigureAwait(false);
                joined.Flush(flushToDisk: true);
                finalPath = path;
            }

            cancellationToken.ThrowIfCancellationRequested();
            string committed = target.Commit(finalPath);
            long bytes = new FileInfo(committed).Length;
            if (_log.ShowsVerbose)
            {
                _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Wrote {0} bytes ({1:0.0} s of {2}) to {3}.", bytes, info.Duration.TotalSeconds, fileFormat.ToApiName(), committed));
            }
            return new DocumentResult
            {
                Path = committed,
                Format = fileFormat,
                Characters = text.Length,
                Chunks = chunks.Count,
                RequestIds = requestIds,
                Duration = info.Duration,
                Bytes = bytes,
                CachedChunks = cachedChunks,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileErrors.From(ex, target.Directory);
        }
        finally
        {
            unflushed?.Dispose();
            foreach (string? path in chunkPaths.Append(joinedPath))
            {
                PartialFiles.DeleteQuietly(path);
            }
        }
    }

    private static TtsException InChunk(TtsException error, TextChunk chunk, int total) => error.With(string.Format(
        CultureInfo.InvariantCulture,
        "Chunk {0} of {1} (characters {2}-{3}) failed: {4}",
        chunk.Index + 1,
        total,
        chunk.Start + 1,
        chunk.Start + chunk.Length,
        error.Message));
}
