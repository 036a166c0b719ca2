namespace AitreTts.Core.Http;

/// <summary>How an attempt failed below HTTP, for <see cref="RetryPolicy.Decide"/>.</summary>
internal enum TransportFailure
{
    /// <summary>The server answered; the status code says how it went.</summary>
    None,

    /// <summary>The connection could not be made or was reset (DNS, refused, TLS, proxy).</summary>
    ConnectionFailed,

    /// <summary>The attempt took longer than the timeout (not a cancellation by the user, which is never retried).</summary>
    Timeout,

    /// <summary>The connection closed before the whole body arrived.</summary>
    BodyTruncated,
}
