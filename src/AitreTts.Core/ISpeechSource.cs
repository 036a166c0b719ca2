using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace AitreTts.Core;

/// <summary>
/// Where a chunk's audio comes from: a server through <see cref="Http.SpeechClient"/>, or the offline provider. The
/// document path around it (splitting, parallelism, joining, naming) is the same for both.
/// </summary>
internal interface ISpeechSource
{
    /// <summary>Writes one request's audio to <paramref name="destination"/>, which is emptied before every attempt.</summary>
    Task<SpeechResponse> SynthesizeAsync(SpeechRequest request, Stream destination, CancellationToken cancellationToken);
}

/// <summary>What a successful speech call returned.</summary>
internal sealed record SpeechResponse
{
    /// <summary>The server's <c>x-request-id</c>, or null when it sent none.</summary>
    public string? RequestId { get; init; }

    /// <summary>Bytes of audio written to the destination.</summary>
    public long Bytes { get; init; }

    /// <summary>True when the audio came from the chunk cache and no request was sent.</summary>
    public bool FromCache { get; init; }

    /// <summary>The HTTP status of the answer that carried the audio; 0 when no request was sent.</summary>
    public int StatusCode { get; init; }

    /// <summary>The answer's media type, without parameters; null when it sent none or no request was sent.</summary>
    public string? ContentType { get; init; }

    /// <summary>The answer's Content-Encoding (such as gzip, which is never asked for and never decoded), or null.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>
    /// The audio's playing time as the check of the whole body measured it, with the default join options; null when
    /// nothing measured it (the offline provider's own audio).
    /// </summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Completes when the audio is kept wherever the source keeps it (the chunk cache), or could not be; the audio in
    /// the destination is final before then. Whoever calls the source waits for it before calling its work done.
    /// </summary>
    public Task Stored { get; init; } = Task.CompletedTask;
}
