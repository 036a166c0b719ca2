using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Audio;
using AitreTts.Core.Cache;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// A server's audio through the chunk cache: a chunk asked before with the same endpoint and voice options is read
/// from the cache instead of paid for again, and a chunk the server sends is stored as soon as it arrives, so the
/// chunks of a document that fails later are kept for its rerun. Only audio that passes <see cref="WellFormedAudio"/>
/// (the codec's inspection the join relies on) is stored: the client refuses any other answer, naming it, so a bad
/// answer fails one run, never the ones after it. An entry is inspected the same way before it is
/// served, and one that fails is removed and requested again.
/// </summary>
internal sealed class CachingSpeechSource : ISpeechSource
{
    // The chunks being requested now in this process, by their cache entry's path, so that the same chunk asked for
    // twice at once is paid for once. Whoever asks first holds a request slot while it does, so a chunk waiting here
    // never waits on one that cannot proceed.
    private static readonly ConcurrentDictionary<string, Task<bool>> InFlight = new(StringComparer.Ordinal);

    private readonly SpeechClient _client;
    private readonly ChunkCache _cache;
    private readonly TtsLog _log;

    public CachingSpeechSource(SpeechClient client, ChunkCache cache, TtsLog? log = null)
    {
        _client = client;
        _cache = cache;
        _log = log ?? TtsLog.None;
    }

    /// <summary>The cache read and written.</summary>
    public ChunkCache Cache => _cache;

    /// <summary>The client asked on a miss.</summary>
    public SpeechClient Client => _client;

    /// <summary>True when the cache holds a valid entry for <paramref name="request"/>; does not count as a use.</summary>
    public bool Holds(SpeechRequest request) => File.Exists(_cache.EntryPath(ChunkCacheKey.For(_client.Endpoint, request)));

    public async Task<SpeechResponse> SynthesizeAsync(SpeechRequest request, Stream destination, CancellationToken cancellationToken)
    {
        ChunkCacheKey key = ChunkCacheKey.For(_client.Endpoint, request);
        string entry = _cache.EntryPath(key);
        var mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool readCache = true;
        while (true)
        {
            if (readCache && _cache.TryGet(key, out byte[] cached, _log))
            {
                destination.SetLength(0);
                destination.Position = 0;
                await destination.WriteAsync(cached, 0, cached.Length, cancellationToken).ConfigureAwait(false);
                (string? problem, AudioInfo? measured) = WellFormedAudio.Check(request.Format, destination);
                if (measured is not null)
                {
                    _log.Verbose($"Chunk of {request.Input.Length} characters read from the cache ({cached.Length} bytes); no request sent.");
                    return new SpeechResponse { Bytes = cached.Length, FromCache = true, Duration = measured.Duration };
                }

                // Authentic but not audio the join accepts (stored by an older version, or the check grew stricter):
                // a miss, never an error. Read no more, so an entry that cannot be removed is not read in a loop.
                _log.Verbose($"Dropped the cache entry {entry}, which will be requested again: its audio {problem}.");
                _cache.Remove(key, _log);
                destination.SetLength(0);
                destination.Position = 0;
                readCache = false;
            }

            // The same chunk already on its way (the same line twice in a batch, runspaces speaking one text): wait
            // for it and read what it stored rather than pay for it again. When it failed, or stored nothing, this one
            // asks in its turn.
            Task<bool> asking = InFlight.GetOrAdd(entry, mine.Task);
            if (asking == mine.Task)
            {
                break;
            }

            await WaitAsync(asking, cancellationToken).ConfigureAwait(false);
        }

        byte[] body;
        SpeechResponse response;
        try
        {
            // The client refuses an answer that is not well-formed audio (NotAudioAnswer), so only audio the join
            // accepts is stored.
            response = await _client.SynthesizeAsync(request, destination, cancellationToken).ConfigureAwait(false);
            body = WellFormedAudio.ReadBack(destination);
        }
        catch
        {
            Release();
            throw;
        }

        // The entry is written beside the caller's next step (putting its own file on disk) rather than before it; the
        // caller waits for Stored before its document is done, and whoever waits for the same chunk is let go once it
        // is in the cache.
        Task stored = Task.Run(() =>
        {
            try
            {
                _cache.Put(key, body, _log);
            }
            finally
            {
                Release();
            }
        });
        return response with { Stored = stored };

        void Release()
        {
            InFlight.TryRemove(entry, out _);
            mine.TrySetResult(true);
        }
    }

    private static async Task WaitAsync(Task other, CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
        {
            await Task.WhenAny(other, cancelled.Task).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
