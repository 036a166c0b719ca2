using System;
using AitreTts.Core.Configuration;

namespace AitreTts.Core.Http;

/// <summary>
/// How one client paces its requests: the process-wide pacer of its endpoint and key, the bound on the waits of
/// each request (MaximumRateLimitWaitSec), and this machine's own cap (RequestsPerMinute).
/// </summary>
internal sealed class RateLimitPacing
{
    /// <summary>The default of MaximumRateLimitWaitSec, 15 minutes: many times a per-minute window, so a nightly batch on a
    /// busy account finishes, while a limit that will not lift (a daily one) ends each request in a quarter of an hour.</summary>
    public static readonly TimeSpan DefaultMaximumWait = TimeSpan.FromSeconds((int)Setting.MaximumRateLimitWaitSec.DefaultValue!);

    public RateLimitPacing(RateLimitPacer pacer, TimeSpan maximumWait, int? requestsPerMinute = null)
    {
        Pacer = pacer ?? throw new ArgumentNullException(nameof(pacer));
        MaximumWait = maximumWait < TimeSpan.Zero ? TimeSpan.Zero : maximumWait;
        RequestsPerMinute = requestsPerMinute is > 0 ? requestsPerMinute : null;
    }

    public RateLimitPacer Pacer { get; }

    /// <summary>The longest one request waits on the rate limit in all; zero turns pacing off (a 429 is then an ordinary failed attempt).</summary>
    public TimeSpan MaximumWait { get; }

    public int? RequestsPerMinute { get; }

    public bool Enabled => MaximumWait > TimeSpan.Zero;

    /// <summary>Where holds are reported as they start and end (the cmdlet's progress); null reports none.</summary>
    public IProgress<RateLimitHold>? Holds { get; set; }

    public static RateLimitPacing For(TtsEndpoint endpoint, TimeSpan? maximumWait = null, int? requestsPerMinute = null) =>
        new(RateLimitPacers.For(endpoint.SpeechUri, endpoint.ApiKey, endpoint.Headers), maximumWait ?? DefaultMaximumWait, requestsPerMinute);

    /// <summary>The waits of one request, from its first attempt to its last.</summary>
    public RateLimitedRequest BeginRequest(TtsLog log, Func<string, string> redact) => new(this, log, redact);
}
