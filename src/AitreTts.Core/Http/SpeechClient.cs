using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Errors;
using AitreTts.Core.Security;

namespace AitreTts.Core.Http;

/// <summary>
/// The one HTTP caller of the module. It sends speech requests with the retry policy and time limits, streams each
/// response body straight to the destination stream, and turns every failure into a <see cref="TtsException"/>.
/// Safe to use from many threads at once.
/// </summary>
internal sealed class SpeechClient : ISpeechSource
{
    private const int MaximumRedirects = 5;
    private const int CopyBufferSize = 81920;

    private readonly TtsEndpoint _endpoint;
    private readonly RetryPolicy _retryPolicy;
    private readonly TimeSpan _timeout;
    private readonly TtsLog _log;
    private readonly ProxySettings _proxy;
    private readonly string[] _proxyPasswords;

    /// <summary>Creates a caller for one endpoint.</summary>
    /// <param name="endpoint">Where requests go.</param>
    /// <param name="retryPolicy">When to try again.</param>
    /// <param name="timeout">
    /// How long a request may wait for its response headers, and then for each piece of the body. One attempt as a
    /// whole ends after <see cref="ResponseLimits.DeadlineTimeouts"/> times this.
    /// </param>
    /// <param name="log">Where verbose and debug messages go.</param>
    /// <param name="proxy">Proxy settings, or null for the environment's.</param>
    /// <param name="rateLimits">How speech requests are paced to the account's limit; null: the endpoint's shared pacer with the default bound.</param>
    public SpeechClient(TtsEndpoint endpoint, RetryPolicy retryPolicy, TimeSpan timeout, TtsLog? log = null, ProxySettings? proxy = null, RateLimitPacing? rateLimits = null)
    {
        _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _retryPolicy = retryPolicy ?? throw new ArgumentNullException(nameof(retryPolicy));
        _timeout = timeout <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout;
        _log = log ?? TtsLog.None;
        _proxy = proxy ?? new ProxySettings();
        // Credential headers are secrets like the proxy password: redacted from every message.
        _proxyPasswords = _proxy.Passwords().Concat(endpoint.Headers?.Secrets() ?? Enumerable.Empty<string>()).ToArray();
        Connections = HttpClientCache.Get(endpoint.SpeechUri, _proxy);
        Deadline = ResponseLimits.DeadlineFor(_timeout);
        _proxy.ExplainLoopbackBypass(endpoint.SpeechUri, _log);
        RateLimits = rateLimits ?? RateLimitPacing.For(endpoint);
    }

    /// <summary>How speech requests are paced to the account's rate limit (RateLimits/).</summary>
    public RateLimitPacing RateLimits { get; }

    /// <summary>Where requests go.</summary>
    public TtsEndpoint Endpoint => _endpoint;

    /// <summary>How long one attempt may take in all; tests shorten it.</summary>
    internal TimeSpan Deadline { get; set; }

    /// <summary>The handler and connection slots requests go through; tests give several clients a small pool.</summary>
    internal HttpConnections Connections { get; set; }

    /// <summary>
    /// Sends one speech request and writes the audio to <paramref name="destination"/>, which is emptied before
    /// every attempt. Throws <see cref="TtsException"/> when the request fails for good, and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<SpeechResponse> SynthesizeAsync(SpeechRequest request, Stream destination, CancellationToken cancellationToken)
    {
        if (!destination.CanSeek)
        {
            throw new ArgumentException("The destination must be seekable, so a retry can start it over.", nameof(destination));
        }

        byte[] body = request.ToJsonUtf8();
        if (_log.ShowsDebug)
        {
            _log.Debug("Request body: " + Encoding.UTF8.GetString(body));
        }

        RateLimitedRequest rateLimited = RateLimits.BeginRequest(_log, Redact);
        SpeechResponse response = await WithRetriesAsync(
            async attempt =>
            {
                using RateLimitedRequest.Turn? turn = await rateLimited.EnterAsync(cancellationToken).ConfigureAwait(false);
                destination.SetLength(0);
                destination.Position = 0;
                AttemptOutcome<SpeechResponse> outcome = await AttemptAsync(request, body, destination, attempt, turn, cancellationToken).ConfigureAwait(false);
                return outcome;
            },
            cancellationToken,
            rateLimited).ConfigureAwait(false);

        // The start of the body was checked as it arrived; the whole of it is checked here, with the codec the join
        // uses, so a cut or forged body fails as this answer whether it then goes to the cache or straight to the join.
        try
        {
            return response with { Duration = NotAudioAnswer.Ensure(request.Format, destination, response, _endpoint.SpeechUri.Host).Duration };
        }
        catch (TtsException ex)
        {
            throw Redacted(ex);
        }
    }

    /// <summary>
    /// GETs a small JSON document (a voices or models list) with the same authentication, time limit and retry policy
    /// as speech requests. Returns null when the server has no such endpoint (404/405/501), so callers can fall back.
    /// </summary>
    public Task<JsonDocument?> GetJsonAsync(Uri uri, CancellationToken cancellationToken) =>
        WithRetriesAsync(attempt => GetJsonAttemptAsync(uri, attempt, cancellationToken), cancellationToken);

    /// <summary>
    /// The request as it is sent: no <c>Expect: 100-continue</c> (.NET Framework adds it to every POST, which costs
    /// up to 350 ms a request and makes some proxies answer 417), and the key only for the endpoint's own origin.
    /// </summary>
    internal HttpRequestMessage BuildRequest(HttpMethod method, Uri target, byte[]? body)
    {
        var message = new HttpRequestMessage(method, target);
        message.Headers.ExpectContinue = false;
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            message.Headers.Accept.ParseAdd("audio/*");
        }

        message.Headers.Accept.ParseAdd("application/json");
        _endpoint.ApplyHeaders(message, target);
        return message;
    }

    // The one retry loop: each attempt either succeeds or says why it failed, and the policy decides what follows.
    // A 429 that asks to wait is the rate limit's to wait out (RateLimitedRequest): it is not a failed attempt.
    private async Task<T> WithRetriesAsync<T>(Func<int, Task<AttemptOutcome<T>>> attemptAsync, CancellationToken cancellationToken, RateLimitedRequest? rateLimited = null)
    {
        for (int attempt = 1, counted = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttemptOutcome<T> outcome = await attemptAsync(attempt).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                return outcome.Value!;
            }

            if (rateLimited is not null && rateLimited.TryWaitOut(outcome.StatusCode, outcome.Hints, _retryPolicy.MaximumServerDelay, out TtsException? waitedTooLong))
            {
                if (waitedTooLong is not null)
                {
                    throw Redacted(WithAttempts(waitedTooLong, attempt));
                }

                continue;
            }

            RetryDecision decision = _retryPolicy.Decide(counted++, outcome.StatusCode, outcome.TransportFailure, outcome.Hints);
            if (!decision.ShouldRetry)
            {
                TtsException error = WithAttempts(decision.RefusalError ?? outcome.Error!, attempt);
                throw Redacted(outcome.TransportFailure == TransportFailure.None ? error : SayAttempts(error, attempt));
            }

            _log.Verbose(Redact(string.Format(
                CultureInfo.InvariantCulture,
                "Attempt {0} of {1} failed ({2}{3}); retrying in {4:0.###} s.",
                counted - 1,
                _retryPolicy.MaximumRetryCount + 1,
                decision.Reason,
                outcome.RequestId is null ? string.Empty : ", request id " + outcome.RequestId,
                decision.Delay.TotalSeconds)));
            await Task.Delay(decision.Delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AttemptOutcome<JsonDocument?>> GetJsonAttemptAsync(Uri uri, int attempt, CancellationToken cancellationToken)
    {
        using var limits = new AttemptLimits(cancellationToken, _timeout, Deadline);
        HttpResponseMessage? response = null;
        IDisposable? slot = null;
        var progress = new BodyProgress();
        try
        {
            slot = await AcquireConnectionAsync(limits).ConfigureAwait(false);
            response = await SendFollowingRedirectsAsync(HttpMethod.Get, uri, null, limits.Token).ConfigureAwait(false);
            progress.HeadersReceived = true;
            progress.Status = (int)response.StatusCode;
            int status = (int)response.StatusCode;
            string? requestId = RequestIdOf(response);
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "GET {0}: HTTP {1}{2}.", Shown(uri), status, requestId is null ? string.Empty : ", request id " + requestId));
            if (status is 404 or 405 or 501)
            {
                return AttemptOutcome<JsonDocument?>.Success(null);
            }

            bool success = status >= 200 && status <= 299;
            string body = await ReadTextAsync(response, success ? ResponseLimits.JsonBodyBytes : ResponseLimits.ErrorBodyBytes, failWhenLonger: success, uri, requestId, limits, progress).ConfigureAwait(false);
            if (!success)
            {
                return FailedResponse<JsonDocument?>(response, status, body, requestId, uri, attempt);
            }

            try
            {
                return AttemptOutcome<JsonDocument?>.Success(JsonDocument.Parse(body));
            }
            catch (JsonException)
            {
                throw Redacted(HttpErrorMapper.FromNonAudioSuccess(MediaType(response), body, requestId, uri));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TtsException ex)
        {
            throw Redacted(ex);
        }
        catch (Exception ex) when (limits.TimedOut && ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException or WebException)
        {
            return AttemptOutcome<JsonDocument?>.Failed(TimeoutError(uri, progress, null, limits.DeadlinePassed, ex), null, TransportFailure.Timeout, new RetryHints(), null);
        }
        catch (Exception ex) when (IsProxyAuthenticationRefusal(uri, ex))
        {
            return AttemptOutcome<JsonDocument?>.Failed(ProxyAuthenticationError(uri), ProxyAuthenticationRequired, TransportFailure.None, new RetryHints(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or WebException or ObjectDisposedException)
        {
            return AttemptOutcome<JsonDocument?>.Failed(ConnectionError(uri, ex), null, TransportFailure.ConnectionFailed, new RetryHints(), null);
        }
        finally
        {
            response?.Dispose();
            slot?.Dispose();
        }
    }

    /// <summary>
    /// Waits for a connection to the server, then starts the attempt's -TimeoutSec: time spent queued behind other
    /// requests (runspaces sharing the pool, a big -ThrottleLimit) is not the server's slowness. The overall deadline,
    /// which bounds the queueing too, runs from the attempt's start.
    /// </summary>
    private async Task<IDisposable> AcquireConnectionAsync(AttemptLimits limits)
    {
        IDisposable slot = await Connections.AcquireAsync(limits.Token).ConfigureAwait(false);
        limits.RestartStallTimer();
        return slot;
    }

    private AttemptOutcome<T> FailedResponse<T>(HttpResponseMessage response, int status, string body, string? requestId, Uri uri, int attempt)
    {
        var hints = new RetryHints
        {
            RetryAfter = HeaderValue(response, "retry-after"),
            RetryAfterMs = HeaderValue(response, "retry-after-ms"),
            ShouldRetry = HeaderValue(response, "x-should-retry"),
            Error = ErrorBodyParser.Parse(MediaType(response), body),
            RequestId = requestId,
        };
        Uri answered = response.RequestMessage?.RequestUri ?? uri;
        TtsException error = Redacted(HttpErrorMapper.FromResponse(status, response.ReasonPhrase, MediaType(response), body, requestId, uri, attempt, keySent: _endpoint.SendsKeyTo(answered), heldBackKeyReason: _endpoint.HeldBackKeyReason, provider: _endpoint.Profile));
        return AttemptOutcome<T>.Failed(error, status, TransportFailure.None, hints, requestId);
    }

    private TtsException TimeoutError(Uri uri, BodyProgress progress, string? requestId, bool deadlinePassed, Exception inner)
    {
        string what = deadlinePassed
            ? string.Format(
                CultureInfo.InvariantCulture,
                "did not finish its answer within the overall deadline of {0:0.###} s ({1} times -TimeoutSec), after {2} bytes",
                Deadline.TotalSeconds,
                ResponseLimits.DeadlineTimeouts,
                progress.Bytes)
            : !progress.HeadersReceived
                ? string.Format(CultureInfo.InvariantCulture, "did not answer within {0:0.###} s", _timeout.TotalSeconds)
                : progress.Bytes == 0
                    ? string.Format(CultureInfo.InvariantCulture, "did not send any of the body within {0:0.###} s", _timeout.TotalSeconds)
                    : string.Format(CultureInfo.InvariantCulture, "stalled: the body stopped after {0} bytes, and nothing more came within {1:0.###} s", progress.Bytes, _timeout.TotalSeconds);
        string advice = deadlinePassed
            ? "A server that sends this slowly is likely stuck; raise -TimeoutSec if it is just very slow."
            : "Raise -TimeoutSec if the server is just slow.";
        // A stall in the body of an error answer hides the error itself: the status is all there is to say what it was.
        int? failedStatus = progress.Status is int status && (status < 200 || status > 299) ? status : null;
        return new TtsException(
            TtsErrorIds.Timeout,
            TtsErrorCategory.OperationTimeout,
            string.Format(
                CultureInfo.InvariantCulture,
                "The server at {0} {1}{2}{3}. {4}",
                uri.Host,
                failedStatus is int answered ? "answered " + HttpErrorMapper.StatusText(answered, null) + ", then " : string.Empty,
                what,
                requestId is null ? string.Empty : " (request id " + requestId + ")",
                advice),
            Safe(inner))
        { RequestId = requestId, StatusCode = failedStatus };
    }

    private const int ProxyAuthenticationRequired = 407;

    // For https the proxy's 407 answers the CONNECT of the tunnel, so it arrives as an exception rather than a
    // response; it is the same refusal as a 407 to a plain http request, and is reported (and not retried) as one.
    private bool IsProxyAuthenticationRefusal(Uri uri, Exception ex) =>
        ex is HttpRequestException or WebException && _proxy.ProxyFor(uri) is not null && StatusOf(ex) == ProxyAuthenticationRequired;

    private static TtsException ProxyAuthenticationError(Uri uri) =>
        HttpErrorMapper.FromResponse(ProxyAuthenticationRequired, null, null, null, null, uri, 1);

    // HttpRequestException.StatusCode exists from .NET 5 on (PowerShell 7.4+) and carries the tunnel's status;
    // netstandard2.0 cannot name it, so it is read by name. .NET Framework reports it in a WebException's response.
    private static int? StatusOf(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is WebException { Response: HttpWebResponse response })
            {
                return (int)response.StatusCode;
            }

            if (e is HttpRequestException && e.GetType().GetProperty("StatusCode")?.GetValue(e) is HttpStatusCode status)
            {
                return (int)status;
            }
        }

        return null;
    }

    private TtsException ConnectionError(Uri uri, Exception inner)
    {
        string reason = Redact(InnermostMessage(inner));
        if (IsUnreadableAnswer(inner))
        {
            return new TtsException(
                TtsErrorIds.HttpError,
                TtsErrorCategory.ProtocolError,
                $"The server at {Shown(new Uri(uri.GetLeftPart(UriPartial.Authority)))} answered, but its answer could not be read: {reason}. A proxy or gateway in front of it may be sending oversized or malformed headers.",
                Safe(inner));
        }

        string server = Shown(new Uri(uri.GetLeftPart(UriPartial.Authority)));
        if (_proxy.ProxyFor(uri) is Uri proxy)
        {
            // Through a proxy the only connection this machine opens is to the proxy; blaming the server would send the
            // user to check the wrong address.
            return new TtsException(
                TtsErrorIds.ConnectionFailed,
                TtsErrorCategory.ConnectionError,
                $"Could not connect to {server} through the proxy {Shown(proxy)}: {reason}. Check the proxy address (-Proxy, the stored proxy, or HTTP_PROXY/HTTPS_PROXY), that the proxy is running, and that it can reach the server.",
                Safe(inner));
        }

        return new TtsException(
            TtsErrorIds.ConnectionFailed,
            TtsErrorCategory.ConnectionError,
            $"Could not connect to {server}: {reason}. Check the BaseUrl, the network and any proxy.",
            Safe(inner));
    }

    private TtsException TooLarge(long limit, string what, Uri uri, string? requestId) => new(
        TtsErrorIds.ResponseTooLarge,
        TtsErrorCategory.LimitsExceeded,
        string.Format(
            CultureInfo.InvariantCulture,
            "The server at {0} sent more than {1} bytes {2}{3}, more than such an answer can plausibly hold; the download was stopped and nothing was kept.",
            uri.Host,
            limit,
            what,
            requestId is null ? string.Empty : " (request id " + requestId + ")"))
    { RequestId = requestId };

    private async Task<AttemptOutcome<SpeechResponse>> AttemptAsync(SpeechRequest request, byte[] body, Stream destination, int attempt, RateLimitedRequest.Turn? rateLimitTurn, CancellationToken cancellationToken)
    {
        using var limits = new AttemptLimits(cancellationToken, _timeout, Deadline);
        var progress = new BodyProgress();
        HttpResponseMessage? response = null;
        IDisposable? slot = null;
        string? requestId = null;
        try
        {
            slot = await AcquireConnectionAsync(limits).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            response = await SendFollowingRedirectsAsync(HttpMethod.Post, _endpoint.SpeechUri, body, limits.Token).ConfigureAwait(false);
            progress.HeadersReceived = true;
            progress.Status = (int)response.StatusCode;
            rateLimitTurn?.Observe(response);
            requestId = RequestIdOf(response);
            int status = (int)response.StatusCode;
            if (_log.ShowsVerbose)
            {
                _log.Verbose(string.Format(
                    CultureInfo.InvariantCulture,
                    "POST {0} ({1} bytes, {2}): HTTP {3} in {4} ms{5}.",
                    Shown(response.RequestMessage?.RequestUri ?? _endpoint.SpeechUri),
                    body.Length,
                    request,
                    status,
                    watch.ElapsedMilliseconds,
                    requestId is null ? string.Empty : ", request id " + requestId));
            }

            if (status < 200 || status > 299)
            {
                string errorBody = await ReadTextAsync(response, ResponseLimits.ErrorBodyBytes, failWhenLonger: false, _endpoint.SpeechUri, requestId, limits, progress).ConfigureAwait(false);
                return FailedResponse<SpeechResponse>(response, status, errorBody, requestId, _endpoint.SpeechUri, attempt);
            }

            long? expectedLength = response.Content.Headers.ContentLength;
            long limit = ResponseLimits.MaximumAudioBytes(request.Input.Length);
            if (expectedLength > limit)
            {
                throw TooLarge(limit, "of audio for " + request.Input.Length.ToString(CultureInfo.InvariantCulture) + " characters of text (it announced " + expectedLength.Value.ToString(CultureInfo.InvariantCulture) + ")", _endpoint.SpeechUri, requestId);
            }

            using Stream source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            long written = await CopyBodyAsync(source, destination, request, requestId, MediaType(response), response, limits, progress).ConfigureAwait(false);
            if (expectedLength is long expected && written < expected)
            {
                return AttemptOutcome<SpeechResponse>.Failed(
                    Truncated(written, expected, requestId, null),
                    null,
                    TransportFailure.BodyTruncated,
                    new RetryHints(),
                    requestId);
            }

            if (written == 0)
            {
                throw HttpErrorMapper.FromNonAudioSuccess(MediaType(response), string.Empty, requestId, _endpoint.SpeechUri);
            }

            destination.Flush();
            if (_log.ShowsVerbose)
            {
                _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Received {0} bytes of {1} in {2} ms.", written, request.Format.ToApiName(), watch.ElapsedMilliseconds));
            }
            return AttemptOutcome<SpeechResponse>.Success(new SpeechResponse
            {
                RequestId = requestId,
                Bytes = written,
                StatusCode = status,
                ContentType = MediaType(response),
                ContentEncoding = response.Content.Headers.ContentEncoding.Count == 0 ? null : string.Join(", ", response.Content.Headers.ContentEncoding),
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TtsException ex)
        {
            // A 200 whose body is not audio may quote anything the server echoed, the key included.
            throw Redacted(ex);
        }
        catch (Exception ex) when (limits.TimedOut && ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException or WebException)
        {
            TtsException timeout = TimeoutError(_endpoint.SpeechUri, progress, requestId, limits.DeadlinePassed, ex);
            return AttemptOutcome<SpeechResponse>.Failed(timeout, null, TransportFailure.Timeout, new RetryHints(), requestId);
        }
        catch (Exception ex) when (response is not null && ex is IOException or HttpRequestException or ObjectDisposedException or WebException)
        {
            return AttemptOutcome<SpeechResponse>.Failed(Truncated(progress.Bytes, response.Content.Headers.ContentLength, requestId, ex), null, TransportFailure.BodyTruncated, new RetryHints(), requestId);
        }
        catch (Exception ex) when (IsProxyAuthenticationRefusal(_endpoint.SpeechUri, ex))
        {
            return AttemptOutcome<SpeechResponse>.Failed(ProxyAuthenticationError(_endpoint.SpeechUri), ProxyAuthenticationRequired, TransportFailure.None, new RetryHints(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or WebException)
        {
            return AttemptOutcome<SpeechResponse>.Failed(ConnectionError(_endpoint.SpeechUri, ex), null, TransportFailure.ConnectionFailed, new RetryHints(), null);
        }
        finally
        {
            response?.Dispose();
            slot?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpMethod method, Uri target, byte[]? body, CancellationToken token)
    {
        for (int hop = 0; ; hop++)
        {
            EnsureKeyStaysLocal(target);
            using HttpRequestMessage message = BuildRequest(method, target, body);
            HttpResponseMessage response = await Connections.Invoker.SendAsync(message, token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            bool isRedirect = status is 301 or 302 or 307 or 308;
            if (!isRedirect || response.Headers.Location is null)
            {
                return response;
            }

            Uri next = response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(target, response.Headers.Location);
            string? requestId = RequestIdOf(response);
            string quoted = requestId is null ? string.Empty : " (request id " + requestId + ")";
            response.Dispose();
            if (hop >= MaximumRedirects)
            {
                throw new TtsException(
                    TtsErrorIds.RedirectRefused,
                    TtsErrorCategory.ProtocolError,
                    $"The server redirected the request more than {MaximumRedirects} times (the last HTTP {status} pointed to {Shown(next)}){quoted}: a redirect loop, or a chain too long to follow. Check the BaseUrl, and any proxy or gateway in front of the server.")
                { StatusCode = status, RequestId = requestId };
            }

            // HttpClient would throw NotSupportedException for file://, ftp:// and the like; a redirect there is never
            // followed, and it is this document's error like any other answer.
            if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            {
                throw new TtsException(
                    TtsErrorIds.RedirectRefused,
                    TtsErrorCategory.SecurityError,
                    $"The server redirected the request (HTTP {status}) to a {next.Scheme}: address, which is not followed: only http and https are{quoted}. Check the BaseUrl, and any proxy or gateway in front of the server.")
                { StatusCode = status, RequestId = requestId };
            }

            if (RedirectDowngrades(target, next))
            {
                throw new TtsException(
                    TtsErrorIds.InsecureTransport,
                    TtsErrorCategory.SecurityError,
                    $"The server redirected from https to {Shown(new Uri(next.GetLeftPart(UriPartial.Authority)))}, which is not encrypted; the request was not sent there.");
            }

            _log.Verbose($"Following HTTP {status} redirect to {Shown(next)}{(TtsEndpoint.SameOrigin(next, _endpoint.SpeechUri) ? string.Empty : " without the API key or credential-like headers, since it is another origin (scheme, host or port)")}.");
            target = next;
        }
    }

    /// <summary>True when a redirect leaves https for anything else: the request is then not followed.</summary>
    internal static bool RedirectDowngrades(Uri from, Uri to) =>
        from.Scheme == Uri.UriSchemeHttps && to.Scheme != Uri.UriSchemeHttps;

    /// <summary>
    /// Plain http with a key is allowed to a loopback server only because the key never leaves the machine. Through
    /// a proxy it would: the proxy sees it in clear text, and may hand it on.
    /// </summary>
    private void EnsureKeyStaysLocal(Uri target)
    {
        if (target.Scheme != Uri.UriSchemeHttp || !_endpoint.SendsKeyTo(target) || _endpoint.AllowUnencryptedAuthentication)
        {
            return;
        }

        if (_proxy.ProxyFor(target) is Uri proxy)
        {
            throw new TtsException(
                TtsErrorIds.InsecureTransport,
                TtsErrorCategory.SecurityError,
                $"Refusing to send the API key over unencrypted http through the proxy {Shown(proxy)}: plain http with a key is allowed only for a direct connection to this machine. Use an https:// BaseUrl, connect without the proxy, or pass -AllowUnencryptedAuthentication if the proxy is trusted.");
        }
    }

    private async Task<long> CopyBodyAsync(Stream source, Stream destination, SpeechRequest request, string? requestId, string? contentType, HttpResponseMessage response, AttemptLimits limits, BodyProgress progress)
    {
        long limit = ResponseLimits.MaximumAudioBytes(request.Input.Length);
        byte[] buffer = new byte[CopyBufferSize];
        bool firstBlock = true;
        while (true)
        {
            // The stall limit applies to each read, so a long download that keeps making progress never times out,
            // while a server that stalls mid-body does; the overall deadline ends one that only drips.
            limits.RestartStallTimer();
            int read = await ReadAsync(source, buffer, 0, buffer.Length, response, limits).ConfigureAwait(false);
            if (read == 0)
            {
                return progress.Bytes;
            }

            if (firstBlock)
            {
                firstBlock = false;
                int sniffed = read;
                // A tiny first read cannot be judged; gather a little more before deciding what the body is.
                while (sniffed < 16)
                {
                    int more = await ReadAsync(source, buffer, sniffed, buffer.Length - sniffed, response, limits).ConfigureAwait(false);
                    if (more == 0)
                    {
                        break;
                    }

                    sniffed += more;
                }

                read = sniffed;
                AudioContentCheck.EnsureAudio(buffer, read, request.Format, contentType, requestId, _endpoint.SpeechUri);
            }

            if (progress.Bytes + read > limit)
            {
                throw TooLarge(limit, "of audio for " + request.Input.Length.ToString(CultureInfo.InvariantCulture) + " characters of text", _endpoint.SpeechUri, requestId);
            }

            // Written where it was read: a local file takes it into the page cache at once, while an asynchronous
            // write (Unix has no asynchronous file I/O) only moves it to another thread, a hop every call would pay.
            destination.Write(buffer, 0, read);
            progress.Bytes += read;
        }
    }

    /// <summary>
    /// One read that ends on the attempt's time limits and on cancellation. .NET Framework's response stream ignores
    /// the token while a read is pending: closing the response is what unblocks it.
    /// </summary>
    private static async Task<int> ReadAsync(Stream source, byte[] buffer, int offset, int count, HttpResponseMessage response, AttemptLimits limits)
    {
        using CancellationTokenRegistration abortOnCancel = limits.Token.Register(static state => ((IDisposable)state!).Dispose(), response);
        return await source.ReadAsync(buffer, offset, count, limits.Token).ConfigureAwait(false);
    }

    private TtsException Truncated(long written, long? expected, string? requestId, Exception? inner) => new(
        TtsErrorIds.ResponseTruncated,
        TtsErrorCategory.ConnectionError,
        string.Format(
            CultureInfo.InvariantCulture,
            "The connection to {0} broke after {1} of {2} bytes of audio{3}.",
            _endpoint.SpeechUri.Host,
            written,
            expected?.ToString(CultureInfo.InvariantCulture) ?? "the expected",
            requestId is null ? string.Empty : " (request id " + requestId + ")"),
        inner is null ? null : Safe(inner))
    { RequestId = requestId };

    /// <summary>
    /// Reads a text body of at most <paramref name="limit"/> bytes under the attempt's time limits. An error body is
    /// cut there (its start says enough); a JSON list that does not fit is an error.
    /// </summary>
    private async Task<string> ReadTextAsync(HttpResponseMessage response, int limit, bool failWhenLonger, Uri uri, string? requestId, AttemptLimits limits, BodyProgress progress)
    {
        long? announced = response.Content.Headers.ContentLength;
        if (failWhenLonger && announced > limit)
        {
            throw TooLarge(limit, "in a JSON list (it announced " + announced.Value.ToString(CultureInfo.InvariantCulture) + ")", uri, requestId);
        }

        using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        byte[] buffer = new byte[Math.Min(limit + 1, announced is long length && length >= 0 && length < limit ? (int)length + 1 : limit + 1)];
        int total = 0;
        while (total < buffer.Length)
        {
            limits.RestartStallTimer();
            int read = await ReadAsync(stream, buffer, total, buffer.Length - total, response, limits).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
            progress.Bytes = total;
        }

        if (total > limit)
        {
            if (failWhenLonger)
            {
                throw TooLarge(limit, "in a JSON list", uri, requestId);
            }

            total = limit;
        }

        return failWhenLonger ? Encoding.UTF8.GetString(buffer, 0, total) : BodyText.Of(buffer, 0, total);
    }

    /// <summary>The error without the key or a proxy password in it, should the server have echoed one.</summary>
    internal TtsException Redacted(TtsException error)
    {
        if (_endpoint.ApiKey is not null)
        {
            error = SecretRedactor.Redact(error, SecretText.Reveal(_endpoint.ApiKey));
        }

        foreach (string password in _proxyPasswords)
        {
            error = SecretRedactor.Redact(error, password);
        }

        string message = SecretRedactor.RemoveUserInfo(error.Message);
        return ReferenceEquals(message, error.Message) ? error : error.With(message);
    }

    private string Redact(string text)
    {
        if (_endpoint.ApiKey is not null)
        {
            text = SecretRedactor.Redact(text, SecretText.Reveal(_endpoint.ApiKey));
        }

        foreach (string password in _proxyPasswords)
        {
            text = SecretRedactor.Redact(text, password);
        }

        return SecretRedactor.RemoveUserInfo(text);
    }

    /// <summary>Every URL this client prints goes through here: no user info, no query, no key.</summary>
    private string Shown(Uri uri) => Redact(SecretRedactor.ShownUrl(uri));

    // An exception from the handler may quote a proxy URL with its password; such an inner exception is not kept,
    // since PowerShell shows inner exceptions to anyone who looks at $Error.
    private Exception? Safe(Exception inner)
    {
        for (Exception? e = inner; e is not null; e = e.InnerException)
        {
            if (!ReferenceEquals(Redact(e.Message), e.Message))
            {
                return null;
            }
        }

        return inner;
    }

    // A server may echo anything in x-request-id, the key included: it is redacted before it is logged or kept.
    private string? RequestIdOf(HttpResponseMessage response) =>
        HeaderValue(response, "x-request-id") is string id ? Redact(id) : null;

    private static TtsException WithAttempts(TtsException error, int attempts) =>
        error.Attempts == attempts ? error : error.With(attempts: attempts);

    // HttpErrorMapper says how often it tried for an answer; a failure below HTTP (no connection, a cut or stalled body)
    // says it here, so a user knows whether retrying by hand could help.
    private TtsException SayAttempts(TtsException error, int attempts) => error.With(message: error.Message + (attempts > 1
        ? string.Format(CultureInfo.InvariantCulture, " Gave up after {0} attempts.", attempts)
        : _retryPolicy.MaximumRetryCount == 0
            ? " 1 attempt was made: retries are off (-MaximumRetryCount 0)."
            : " 1 attempt was made."));

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault()
        : null;

    private static string? MediaType(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;

    private static string InnermostMessage(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }

    /// <summary>
    /// True when the server was reached but what it sent is not readable HTTP (headers over the handler's limit,
    /// a malformed status line), which "could not connect" would misdescribe.
    /// </summary>
    internal static bool IsUnreadableAnswer(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is WebException web)
            {
                return web.Status is WebExceptionStatus.ServerProtocolViolation or WebExceptionStatus.MessageLengthLimitExceeded;
            }

            // HttpRequestException.HttpRequestError exists from .NET 8 on (PowerShell 7.4+); netstandard2.0 cannot
            // name it, so it is read by name.
            if (e is HttpRequestException
                && e.GetType().GetProperty("HttpRequestError")?.GetValue(e)?.ToString() is "InvalidResponse" or "ConfigurationLimitExceeded")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What one attempt received so far, for the messages of a timeout or a broken connection.</summary>
    private sealed class BodyProgress
    {
        public bool HeadersReceived { get; set; }

        // The status of the answer whose body is being read: a stall in an error's body is reported with it.
        public int? Status { get; set; }

        public long Bytes { get; set; }
    }

    /// <summary>
    /// The two time limits of one attempt: the stall timer (-TimeoutSec, started when the request is sent and restarted
    /// before each read) and the overall deadline, both linked to the caller's cancellation. Cancelling
    /// <see cref="Token"/> also aborts the request on .NET Framework (see <see cref="HttpConnections"/>).
    /// </summary>
    private sealed class AttemptLimits : IDisposable
    {
        private readonly CancellationTokenSource _deadline;
        private readonly CancellationTokenSource _attempt;
        private readonly TimeSpan _stall;

        public AttemptLimits(CancellationToken cancellationToken, TimeSpan stall, TimeSpan deadline)
        {
            _stall = stall;
            _deadline = new CancellationTokenSource();
            _deadline.CancelAfter(deadline);
            // The stall timer starts when the request can be sent (RestartStallTimer), not while it waits for a connection.
            _attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        }

        public CancellationToken Token => _attempt.Token;

        /// <summary>Either limit ran out (the caller's own cancellation is not a time-out).</summary>
        public bool TimedOut => _attempt.IsCancellationRequested;

        public bool DeadlinePassed => _deadline.IsCancellationRequested;

        public void RestartStallTimer() => _attempt.CancelAfter(_stall);

        public void Dispose()
        {
            _attempt.Dispose();
            _deadline.Dispose();
        }
    }

    private sealed class AttemptOutcome<T>
    {
        public bool Succeeded { get; private set; }

        public T? Value { get; private set; }

        public TtsException? Error { get; private set; }

        public int? StatusCode { get; private set; }

        public TransportFailure TransportFailure { get; private set; }

        public RetryHints Hints { get; private set; } = new();

        public string? RequestId { get; private set; }

        public static AttemptOutcome<T> Success(T value) => new() { Succeeded = true, Value = value };

        public static AttemptOutcome<T> Failed(TtsException error, int? status, TransportFailure failure, RetryHints hints, string? requestId) =>
            new() { Error = error, StatusCode = status, TransportFailure = failure, Hints = hints, RequestId = requestId };
    }
}
