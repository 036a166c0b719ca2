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

/// <summary>What a successful speech call returned.</summary>
public sealed class SpeechResponse
{
    /// <summary>The server's <c>x-request-id</c>, or null when it sent none.</summary>
    public string? RequestId { get; init; }

    /// <summary>Bytes of audio written to the destination.</summary>
    public long Bytes { get; init; }

    /// <summary>The response's Content-Type.</summary>
    public string? ContentType { get; init; }

    /// <summary>Attempts made, 1 when the first one succeeded.</summary>
    public int Attempts { get; init; }

    /// <summary>Time from the first attempt to the last byte.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>
/// The one HTTP caller of the module. It sends speech requests with the retry policy and time limits, streams each
/// response body straight to the destination stream, and turns every failure into a <see cref="TtsException"/>.
/// Safe to use from many threads at once.
/// </summary>
public sealed class SpeechClient
{
    private const int MaximumRedirects = 5;
    private const int ErrorBodyLimit = 64 * 1024;
    private const int CopyBufferSize = 81920;

    private readonly TtsEndpoint _endpoint;
    private readonly HttpClient _http;
    private readonly RetryPolicy _retryPolicy;
    private readonly TimeSpan _timeout;
    private readonly TtsLog _log;

    /// <summary>Creates a caller for one endpoint.</summary>
    /// <param name="endpoint">Where requests go.</param>
    /// <param name="retryPolicy">When to try again.</param>
    /// <param name="timeout">How long a request may wait for its response headers, and then for each piece of the body.</param>
    /// <param name="log">Where verbose and debug messages go.</param>
    /// <param name="proxy">Proxy settings, or null for the environment's.</param>
    public SpeechClient(TtsEndpoint endpoint, RetryPolicy retryPolicy, TimeSpan timeout, TtsLog? log = null, ProxySettings? proxy = null)
    {
        _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _retryPolicy = retryPolicy ?? throw new ArgumentNullException(nameof(retryPolicy));
        _timeout = timeout <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout;
        _log = log ?? TtsLog.None;
        _http = HttpClientCache.Get(endpoint.SpeechUri, proxy);
    }

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
        _log.Debug("Request body: " + Encoding.UTF8.GetString(body));
        var total = Stopwatch.StartNew();
        return await WithRetriesAsync(
            async attempt =>
            {
                destination.SetLength(0);
                destination.Position = 0;
                AttemptOutcome<SpeechResponse> outcome = await AttemptAsync(request, body, destination, attempt, cancellationToken).ConfigureAwait(false);
                return outcome.Succeeded
                    ? AttemptOutcome<SpeechResponse>.Success(new SpeechResponse
                    {
                        RequestId = outcome.Value!.RequestId,
                        Bytes = outcome.Value.Bytes,
                        ContentType = outcome.Value.ContentType,
                        Attempts = attempt,
                        Elapsed = total.Elapsed,
                    })
                    : outcome;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GETs a small JSON document (a voices or models list) with the same authentication, time limit and retry policy
    /// as speech requests. Returns null when the server has no such endpoint (404/405/501), so callers can fall back.
    /// </summary>
    public Task<JsonDocument?> GetJsonAsync(Uri uri, CancellationToken cancellationToken) =>
        WithRetriesAsync(attempt => GetJsonAttemptAsync(uri, attempt, cancellationToken), cancellationToken);

    // The one retry loop: each attempt either succeeds or says why it failed, and the policy decides what follows.
    private async Task<T> WithRetriesAsync<T>(Func<int, Task<AttemptOutcome<T>>> attemptAsync, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttemptOutcome<T> outcome = await attemptAsync(attempt).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                return outcome.Value!;
            }

            RetryDecision decision = _retryPolicy.Decide(attempt, outcome.StatusCode, outcome.TransportFailure, outcome.Hints);
            if (!decision.ShouldRetry)
            {
                throw Redacted(WithAttempts(decision.RefusalError ?? outcome.Error!, attempt));
            }

            _log.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "Attempt {0} of {1} failed ({2}{3}); retrying in {4:0.###} s.",
                attempt,
                _retryPolicy.MaximumRetryCount + 1,
                decision.Reason,
                outcome.RequestId is null ? string.Empty : ", request id " + outcome.RequestId,
                decision.Delay.TotalSeconds));
            await Task.Delay(decision.Delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AttemptOutcome<JsonDocument?>> GetJsonAttemptAsync(Uri uri, int attempt, CancellationToken cancellationToken)
    {
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(_timeout);
        try
        {
            using HttpResponseMessage response = await SendFollowingRedirectsAsync(HttpMethod.Get, uri, null, attemptCancellation.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            string? requestId = RequestIdOf(response);
            string body = await ReadTextAsync(response, attemptCancellation.Token).ConfigureAwait(false);
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "GET {0}: HTTP {1}{2}.", uri, status, requestId is null ? string.Empty : ", request id " + requestId));
            if (status is 404 or 405 or 501)
            {
                return AttemptOutcome<JsonDocument?>.Success(null);
            }

            if (status < 200 || status > 299)
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
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome<JsonDocument?>.Failed(TimeoutError(uri, headersReceived: false, null, ex), null, TransportFailure.Timeout, new RetryHints(), null);
        }
        catch (HttpRequestException ex)
        {
            return AttemptOutcome<JsonDocument?>.Failed(ConnectionError(uri, ex), null, TransportFailure.ConnectionFailed, new RetryHints(), null);
        }
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
        TtsException error = Redacted(HttpErrorMapper.FromResponse(status, response.ReasonPhrase, MediaType(response), body, requestId, uri, attempt));
        return AttemptOutcome<T>.Failed(error, status, TransportFailure.None, hints, requestId);
    }

    private TtsException TimeoutError(Uri uri, bool headersReceived, string? requestId, Exception inner) => new(
        TtsErrorIds.Timeout,
        TtsErrorCategory.OperationTimeout,
        string.Format(
            CultureInfo.InvariantCulture,
            "The server at {0} did not {1} within {2} s{3}. Raise -TimeoutSec if the server is just slow.",
            uri.Host,
            headersReceived ? "send any audio" : "answer",
            _timeout.TotalSeconds,
            requestId is null ? string.Empty : " (request id " + requestId + ")"),
        inner)
    { RequestId = requestId };

    private TtsException ConnectionError(Uri uri, Exception inner) => new(
        TtsErrorIds.ConnectionFailed,
        TtsErrorCategory.ConnectionError,
        $"Could not connect to {uri.GetLeftPart(UriPartial.Authority)}: {Redact(InnermostMessage(inner))}. Check the BaseUrl, the network and any proxy.",
        inner);

    private async Task<AttemptOutcome<SpeechResponse>> AttemptAsync(SpeechRequest request, byte[] body, Stream destination, int attempt, CancellationToken cancellationToken)
    {
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(_timeout);
        CancellationToken token = attemptCancellation.Token;
        var watch = Stopwatch.StartNew();
        HttpResponseMessage? response = null;
        string? requestId = null;
        try
        {
            response = await SendFollowingRedirectsAsync(HttpMethod.Post, _endpoint.SpeechUri, body, token).ConfigureAwait(false);
            requestId = RequestIdOf(response);
            int status = (int)response.StatusCode;
            _log.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "POST {0} ({1} bytes, {2}): HTTP {3} in {4} ms{5}.",
                response.RequestMessage?.RequestUri ?? _endpoint.SpeechUri,
                body.Length,
                request,
                status,
                watch.ElapsedMilliseconds,
                requestId is null ? string.Empty : ", request id " + requestId));

            if (status < 200 || status > 299)
            {
                string errorBody = await ReadTextAsync(response, token).ConfigureAwait(false);
                return FailedResponse<SpeechResponse>(response, status, errorBody, requestId, _endpoint.SpeechUri, attempt);
            }

            long? expectedLength = response.Content.Headers.ContentLength;
            using Stream source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            // .NET Framework's response stream ignores the token while a read is pending: closing the response is
            // what unblocks it, on a timeout as on Ctrl+C.
            using CancellationTokenRegistration abortOnCancel = token.Register(static state => ((IDisposable)state!).Dispose(), response);
            long written = await CopyBodyAsync(source, destination, request.Format, requestId, MediaType(response), attemptCancellation, token).ConfigureAwait(false);
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

            await destination.FlushAsync(token).ConfigureAwait(false);
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Received {0} bytes of {1} in {2} ms.", written, request.Format.ToApiName(), watch.ElapsedMilliseconds));
            return AttemptOutcome<SpeechResponse>.Success(new SpeechResponse { RequestId = requestId, Bytes = written, ContentType = MediaType(response) });
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
        catch (Exception ex) when (ex is OperationCanceledException || (attemptCancellation.IsCancellationRequested && ex is IOException or ObjectDisposedException or HttpRequestException))
        {
            TtsException timeout = TimeoutError(_endpoint.SpeechUri, headersReceived: response is not null, requestId, ex);
            return AttemptOutcome<SpeechResponse>.Failed(timeout, null, TransportFailure.Timeout, new RetryHints(), requestId);
        }
        catch (Exception ex) when (response is not null && ex is IOException or HttpRequestException or ObjectDisposedException)
        {
            return AttemptOutcome<SpeechResponse>.Failed(Truncated(destination.Length, response.Content.Headers.ContentLength, requestId, ex), null, TransportFailure.BodyTruncated, new RetryHints(), requestId);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or WebException)
        {
            return AttemptOutcome<SpeechResponse>.Failed(ConnectionError(_endpoint.SpeechUri, ex), null, TransportFailure.ConnectionFailed, new RetryHints(), null);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpMethod method, Uri target, byte[]? body, CancellationToken token)
    {
        for (int hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, target);
            if (body is not null)
            {
                message.Content = new ByteArrayContent(body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                message.Headers.Accept.ParseAdd("audio/*");
            }

            message.Headers.Accept.ParseAdd("application/json");
            _endpoint.Authenticate(message, target);

            HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            bool isRedirect = status is 301 or 302 or 307 or 308;
            if (!isRedirect || response.Headers.Location is null || hop >= MaximumRedirects)
            {
                return response;
            }

            Uri next = response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(target, response.Headers.Location);
            response.Dispose();
            if (target.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
            {
                throw new TtsException(
                    TtsErrorIds.InsecureTransport,
                    TtsErrorCategory.SecurityError,
                    $"The server redirected from https to {next.GetLeftPart(UriPartial.Authority)}, which is not encrypted; the request was not sent there.");
            }

            _log.Verbose($"Following HTTP {status} redirect to {next.GetLeftPart(UriPartial.Path)}{(TtsEndpoint.SameOrigin(next, _endpoint.SpeechUri) ? string.Empty : " without the API key, since it is another host")}.");
            target = next;
        }
    }

    private async Task<long> CopyBodyAsync(Stream source, Stream destination, AudioFormat format, string? requestId, string? contentType, CancellationTokenSource attemptCancellation, CancellationToken token)
    {
        byte[] buffer = new byte[CopyBufferSize];
        long written = 0;
        bool firstBlock = true;
        while (true)
        {
            // The time limit applies to each read, so a long download that keeps making progress never times out,
            // while a server that stalls mid-body does.
            attemptCancellation.CancelAfter(_timeout);
            int read = await source.ReadAsync(buffer, 0, buffer.Length, token).ConfigureAwait(false);
            if (read == 0)
            {
                return written;
            }

            if (firstBlock)
            {
                firstBlock = false;
                int sniffed = read;
                // A tiny first read cannot be judged; gather a little more before deciding what the body is.
                while (sniffed < 16)
                {
                    int more = await source.ReadAsync(buffer, sniffed, buffer.Length - sniffed, token).ConfigureAwait(false);
                    if (more == 0)
                    {
                        break;
                    }

                    sniffed += more;
                }

                read = sniffed;
                AudioContentCheck.EnsureAudio(buffer, read, format, contentType, requestId, _endpoint.SpeechUri);
            }

            await destination.WriteAsync(buffer, 0, read, token).ConfigureAwait(false);
            written += read;
        }
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
        inner)
    { RequestId = requestId };

    private static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken token)
    {
        using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        byte[] buffer = new byte[ErrorBodyLimit];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer, total, buffer.Length - total, token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private TtsException Redacted(TtsException error) =>
        _endpoint.ApiKey is null ? error : SecretRedactor.Redact(error, SecretText.Reveal(_endpoint.ApiKey));

    private string Redact(string text) =>
        _endpoint.ApiKey is null ? text : SecretRedactor.Redact(text, SecretText.Reveal(_endpoint.ApiKey));

    // A server may echo anything in x-request-id, the key included: it is redacted before it is logged or kept.
    private string? RequestIdOf(HttpResponseMessage response) =>
        HeaderValue(response, "x-request-id") is string id ? Redact(id) : null;

    private static TtsException WithAttempts(TtsException error, int attempts) =>
        error.Attempts == attempts ? error : error.With(attempts: attempts);

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
