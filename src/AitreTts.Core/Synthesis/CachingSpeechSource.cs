using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Cache;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// A server's audio through the chunk cache: a chunk asked before with the same endpoint and voice options is read
/// from the cache instead of paid for again, and a chunk the server sends is stored as soon as it arrives, so the
/// chunks of a document that fails later are kept for its rerun. Only audio that passes <see cref="CacheableAudio"/>
/// (the codec's inspection the join relies on) is stored, and an answer that does not is this chunk's error, naming
/// the answer: a bad answer fails one run, never the ones after it. An entry is inspected the same way before it is
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
                if (AudioProblem(request.Format, destination, cached) is not string problem)
                {
                    _log.Verbose($"Chunk of {request.Input.Length} characters read from the cache ({cached.Length} bytes); no request sent.");
                    return new SpeechResponse { Bytes = cached.Length, FromCache = true };
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

        try
        {
            SpeechResponse response = await _client.SynthesizeAsync(request, destination, cancellationToken).ConfigureAwait(false);
            byte[] body = ReadBack(destination);
            if (AudioProblem(request.Format, destination, body) is string problem)
            {
                throw _client.Redacted(NotAudio(request.Format, response, body, problem));
            }

            _cache.Put(key, body, _log);
            return response;
        }
        finally
        {
            InFlight.TryRemove(entry, out _);
            mine.TrySetResult(true);
        }
    }

    // The chunk's own file when there is one (there always is in a document); otherwise a private scratch copy, since
    // the codecs read files.
    private static string? AudioProblem(AudioFormat format, Stream audio, byte[] body)
    {
        if (audio is FileStream file)
        {
            file.Flush();
            return CacheableAudio.Problem(format, file.Name, body);
        }

        string scratch = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(scratch, body);
            return CacheableAudio.Problem(format, scratch, body);
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    private TtsException NotAudio(AudioFormat format, SpeechResponse response, byte[] body, string problem)
    {
        var answer = new StringBuilder();
        answer.Append("HTTP ").Append(response.StatusCode.ToString(CultureInfo.InvariantCulture))
            .Append(", Content-Type: ").Append(ErrorBodyParser.Clean(response.ContentType, 100) ?? "none");
        if (response.ContentEncoding is string encoding)
        {
            answer.Append(", Content-Encoding: ").Append(ErrorBodyParser.Clean(encoding, 100));
        }

        if (response.RequestId is string requestId)
        {
            answer.Append(", request id ").Append(requestId);
        }

        string message = string.Format(
            CultureInfo.InvariantCulture,
            "{0} answered ({1}) with {2} bytes that are not {3} audio: the body {4}. It starts with {5}. Nothing was stored in the chunk cache, so the next run asks again.",
            _client.Endpoint.SpeechUri.Host,
            answer,
            body.Length,
            format.ToApiName(),
            problem,
            Excerpt(body));
        return new TtsException(TtsErrorIds.UnexpectedResponse, TtsErrorCategory.InvalidData, message)
        {
            StatusCode = response.StatusCode,
            RequestId = response.RequestId,
        };
    }

    // Text when the start is text (a JSON error, a page), cleaned of control characters and cut short; otherwise hex.
    // Either way nothing raw from the server reaches a terminal.
    private static string Excerpt(byte[] body)
    {
        const int TextBytes = 200;
        const int HexBytes = 16;
        int count = Math.Min(body.Length, TextBytes);
        bool text = count > 0;
        for (int i = 0; i < count && text; i++)
        {
            byte b = body[i];
            text = b >= 0x20 ? b != 0x7F : b is (byte)'\t' or (byte)'\r' or (byte)'\n';
        }

        if (text && ErrorBodyParser.Clean(new UTF8Encoding(false, false).GetString(body, 0, count), 120) is string shown)
        {
            return "\"" + shown + "\"";
        }

        var hex = new StringBuilder();
        for (int i = 0; i < Math.Min(body.Length, HexBytes); i++)
        {
            hex.Append(i == 0 ? string.Empty : " ").Append(body[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return "the bytes " + hex + (body.Length > HexBytes ? " ..." : string.Empty);
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

    private static byte[] ReadBack(Stream destination)
    {
        destination.Flush();
        var body = new byte[destination.Length];
        long position = destination.Position;
        destination.Position = 0;
        int read = 0;
        while (read < body.Length)
        {
            int n = destination.Read(body, read, body.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        destination.Position = position;
        return read == body.Length ? body : Array.Empty<byte>();
    }
}
