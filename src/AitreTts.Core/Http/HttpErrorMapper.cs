using System;
using System.Globalization;
using System.Text;
using AitreTts.Core.Errors;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Core.Http;

/// <summary>
/// Turns a failed HTTP answer into one <see cref="TtsException"/>: the one table from status to ErrorId and
/// category, and a message that quotes the server, the status and the request id, and says what to do.
/// </summary>
/// <remarks>
/// Messages may quote what the server echoed; the HTTP caller passes each error through
/// <see cref="SecretRedactor.Redact(TtsException, string?)"/> with the real key before anyone sees it.
/// </remarks>
internal static class HttpErrorMapper
{
    private const int MaximumHeaderTextLength = 100;

    /// <summary>Maps a response whose status is not a success to an error.</summary>
    /// <param name="statusCode">The HTTP status, such as 429.</param>
    /// <param name="reasonPhrase">The reason phrase, if the server sent one (HTTP/2 has none; the standard one is used then).</param>
    /// <param name="contentType">The response's Content-Type.</param>
    /// <param name="body">The body as text, or its first few kilobytes.</param>
    /// <param name="requestId">The <c>x-request-id</c> header, if any.</param>
    /// <param name="requestUri">The URL that was requested; it appears in messages without its query or user info.</param>
    /// <param name="attempts">How many attempts were made, retries included.</param>
    /// <param name="keySent">False when the request carried no API key: a 401 then says so instead of blaming the key.</param>
    /// <param name="heldBackKeyReason">Why the configuration held a key back from this server, if it did.</param>
    /// <param name="provider">The provider the request went to; recognized from the URL when not given.</param>
    public static TtsException FromResponse(
        int statusCode, string? reasonPhrase, string? contentType, string? body, string? requestId, Uri requestUri, int attempts, bool keySent = true, string? heldBackKeyReason = null, ProviderProfile? provider = null)
    {
        ServerError error = ErrorBodyParser.Parse(contentType, body);
        Mapping mapping = statusCode == 401 && !keySent ? NoKeySent(requestUri, heldBackKeyReason) : Map(statusCode, error, requestUri, provider ?? ProviderProfile.Recognize(requestUri));
        string? id = ErrorBodyParser.Clean(requestId, MaximumHeaderTextLength);

        var message = new StringBuilder(mapping.Lead);
        message.Append(" (").Append(StatusText(statusCode, reasonPhrase)).Append(')');
        AppendServerWords(message, error);
        AppendTail(message, id, attempts, mapping.Hint);

        return new TtsException(mapping.ErrorId, mapping.Category, message.ToString())
        {
            StatusCode = statusCode,
            RequestId = id,
            ServerMessage = error.Message,
            ServerCode = error.Code ?? error.Type,
            Hint = mapping.Hint,
            Attempts = Math.Max(1, attempts),
        };
    }

    /// <summary>
    /// Maps a 200 answer whose body is not audio (a JSON error, an HTML page, text, or nothing) to
    /// <see cref="TtsErrorIds.EmptyResponse"/> or <see cref="TtsErrorIds.UnexpectedResponse"/>, with the server's message if any.
    /// </summary>
    /// <param name="contentType">The response's Content-Type.</param>
    /// <param name="bodyPrefix">The first few kilobytes of the body as text (or all of it); empty when there was none.</param>
    /// <param name="requestId">The <c>x-request-id</c> header, if any.</param>
    /// <param name="requestUri">The URL that was requested.</param>
    public static TtsException FromNonAudioSuccess(string? contentType, string? bodyPrefix, string? requestId, Uri requestUri)
    {
        ServerError error = ErrorBodyParser.Parse(contentType, bodyPrefix);
        string? id = ErrorBodyParser.Clean(requestId, MaximumHeaderTextLength);
        string? type = ErrorBodyParser.Clean(contentType, MaximumHeaderTextLength);
        string shown = ShownUrl(requestUri);
        var message = new StringBuilder();
        string errorId;
        TtsErrorCategory category;
        string hint;
        if (error.Shape == ErrorBodyShapes.Empty)
        {
            errorId = TtsErrorIds.EmptyResponse;
            category = TtsErrorCategory.InvalidResult;
            message.Append("The speech server answered HTTP 200 OK but sent no audio: the body was empty");
            if (type is not null)
            {
                message.Append(" (Content-Type: ").Append(type).Append(')');
            }

            message.Append('.');

            hint = "Check the model, voice and response format; some servers answer a name they do not know with no audio.";
        }
        else
        {
            errorId = TtsErrorIds.UnexpectedResponse;
            category = TtsErrorCategory.InvalidData;
            string kind = error.Shape switch
            {
                ErrorBodyShapes.Html => "an HTML page",
                ErrorBodyShapes.Text => "text",
                _ => "a JSON error",
            };
            message.Append("The speech server answered HTTP 200 OK with ").Append(kind).Append(" instead of audio (Content-Type: ")
                .Append(type ?? "none").Append(')');
            AppendServerWords(message, error, mentionHtml: false);
            hint = error.Shape == ErrorBodyShapes.Html
                ? "A page instead of audio usually comes from a login page, a captive portal or a proxy, or from a BaseUrl that points at a website; check the URL " + shown + "."
                : "Some gateways report errors with status 200; if the message does not explain it, check the URL " + shown + ".";
        }

        AppendTail(message, id, attempts: 1, hint);
        return new TtsException(errorId, category, message.ToString())
        {
            StatusCode = 200,
            RequestId = id,
            ServerMessage = error.Message,
            ServerCode = error.Code ?? error.Type,
            Hint = hint,
        };
    }

    /// <summary>
    /// Whether the error says the account's quota or credit is gone (OpenAI's <c>insufficient_quota</c>), which,
    /// unlike a rate limit, waiting does not cure. True when the code or type is <c>insufficient_quota</c>, or when a
    /// gateway dropped those and kept only OpenAI's message ("You exceeded your current quota...").
    /// </summary>
    /// <param name="error">The parsed error body.</param>
    public static bool IsQuotaExhausted(ServerError error)
    {
        if (error is null)
        {
            return false;
        }

        return IsQuotaCode(error.Code)
            || IsQuotaCode(error.Type)
            || (error.Message is not null
                && (error.Message.IndexOf("insufficient_quota", StringComparison.OrdinalIgnoreCase) >= 0
                    || error.Message.IndexOf("exceeded your current quota", StringComparison.OrdinalIgnoreCase) >= 0));
    }

    private static bool IsQuotaCode(string? code) => string.Equals(code, "insufficient_quota", StringComparison.OrdinalIgnoreCase);

    // The one table. Keep it in step with the README's ErrorId table.
    private static Mapping Map(int status, ServerError error, Uri requestUri, ProviderProfile provider)
    {
        bool clientError = status >= 400 && status <= 499;
        if (status == 402 || (clientError && IsQuotaExhausted(error)))
        {
            return new Mapping(
                TtsErrorIds.QuotaExceeded,
                TtsErrorCategory.QuotaExceeded,
                "The speech account has no quota or credit left",
                "Check the plan and billing details of the account the key belongs to; retrying will not help until quota is added.");
        }

        switch (status)
        {
            case 400:
            case 422:
                return new Mapping(
                    TtsErrorIds.BadRequest,
                    TtsErrorCategory.InvalidArgument,
                    "The speech server rejected the request",
                    error.Param is null ? null : "Check the value of '" + error.Param + "'.");
            case 401:
                return new Mapping(
                    TtsErrorIds.AuthenticationFailed,
                    TtsErrorCategory.AuthenticationError,
                    "The speech server refused the API key",
                    "Check that the API key is right, has not been revoked, and was issued for " + HostOf(requestUri) + ".");
            case 403:
                return new Mapping(
                    TtsErrorIds.PermissionDenied,
                    TtsErrorCategory.PermissionDenied,
                    "The speech server denied access",
                    error.Shape == ErrorBodyShapes.Html
                        ? "An HTML page usually means a proxy or firewall in front of the server blocked the request."
                        : "The key may not be allowed to use this model or project, or the service may not be offered in your region.");
            case 404:
            case 405:
                return NotFound(status, error, requestUri, provider);
            case 407:
                // Only a proxy answers 407: the speech server never saw the request, so its key is not the problem.
                return new Mapping(
                    TtsErrorIds.AuthenticationFailed,
                    TtsErrorCategory.AuthenticationError,
                    "The proxy asked for credentials",
                    "The request did not reach the speech server. Give the proxy's user name and password with -ProxyCredential (or store them with Set-TtsConfiguration -ProxyCredential), use -ProxyUseDefaultCredentials for a Windows-authenticated proxy, or put them in HTTP_PROXY/HTTPS_PROXY (http://user:password@proxy:8080).");
            case 408:
                return new Mapping(
                    TtsErrorIds.Timeout,
                    TtsErrorCategory.OperationTimeout,
                    "The speech server timed out waiting for the request",
                    "This is usually temporary; retry later, or check the network and any proxy.");
            case 409:
                // openai-python retries 409 (a lock or conflict on the server's side); once retries run out it is
                // the server that is busy, not the request that is wrong.
                return new Mapping(
                    TtsErrorIds.HttpError,
                    TtsErrorCategory.ResourceUnavailable,
                    "The speech server reported a conflict with another request",
                    "This is usually temporary; retry later.");
            case 413:
                // Proxies (nginx's client_max_body_size) answer 413 before the API sees the text.
                return new Mapping(
                    TtsErrorIds.InputTooLong,
                    TtsErrorCategory.LimitsExceeded,
                    "The speech server, or a proxy in front of it, refused the request as too large",
                    "Send less text per request, or raise the proxy's request size limit.");
            case 429:
                return new Mapping(
                    TtsErrorIds.RateLimited,
                    TtsErrorCategory.LimitsExceeded,
                    "The speech server's rate limit was reached",
                    "Send fewer requests at a time or space them out, or allow more retries with -MaximumRetryCount.");
        }

        if (status >= 500 && status <= 599)
        {
            string lead = status switch
            {
                500 => "The speech server failed with an internal error",
                502 => "A gateway in front of the speech server got no valid answer from it",
                503 => "The speech server is unavailable or overloaded",
                504 => "A gateway in front of the speech server timed out waiting for it",
                _ => "The speech server failed",
            };
            return new Mapping(
                TtsErrorIds.ServerError,
                TtsErrorCategory.ResourceUnavailable,
                lead,
                "This is usually temporary; retry later, or allow more retries with -MaximumRetryCount.");
        }

        if (clientError)
        {
            return new Mapping(TtsErrorIds.HttpError, TtsErrorCategory.NotSpecified, "The speech server refused the request", null);
        }

        return new Mapping(
            TtsErrorIds.HttpError,
            TtsErrorCategory.ProtocolError,
            "The speech server answered with an unexpected HTTP status",
            status >= 300 && status <= 399 ? "The server redirected the request; check the scheme (http or https) and host of BaseUrl." : null);
    }

    private static Mapping NotFound(int status, ServerError error, Uri requestUri, ProviderProfile provider)
    {
        string shown = ShownUrl(requestUri);
        string path = PathOf(requestUri);
        string? code = error.Code ?? error.Type;

        if (provider.ModelNotFoundMeansModel && string.Equals(code, "model_not_found", StringComparison.OrdinalIgnoreCase))
        {
            return new Mapping(
                TtsErrorIds.EndpointNotFound,
                TtsErrorCategory.ObjectNotFound,
                "The speech server does not offer the requested model",
                "Check the model name (such as tts-1, tts-1-hd or gpt-4o-mini-tts) and that the key may use it.");
        }

        var hint = new StringBuilder();
        if (provider.NotFoundHint(requestUri) is string routeHint)
        {
            hint.Append(routeHint);
        }
        else if (path.IndexOf("/v1/v1", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            hint.Append("The URL has /v1 twice: BaseUrl should be the server root without /v1 (such as https://api.openai.com, not https://api.openai.com/v1), since /v1/audio/speech is added to it.");
        }
        else if (path.IndexOf("/audio/speech/", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            hint.Append("The URL has /audio/speech twice: BaseUrl should be the server root (such as https://api.openai.com), without /v1/audio/speech, which is added to it.");
        }
        else
        {
            hint.Append("BaseUrl should be the server root (such as https://api.openai.com or http://localhost:8880), without /v1/audio/speech, which is added to it; check the host, port and any path prefix.");
        }

        if (path.IndexOf("//", StringComparison.Ordinal) >= 0)
        {
            hint.Append(" The URL also has an empty segment (//); remove the trailing slash from BaseUrl.");
        }

        string lead = status == 405
            ? "The server at " + shown + " does not take speech requests there (POST not allowed)"
            : provider.NotFoundLead(shown, code) ?? "The speech endpoint " + shown + " was not found";
        return new Mapping(TtsErrorIds.EndpointNotFound, TtsErrorCategory.ObjectNotFound, lead, hint.ToString());
    }

    // A key may be missing on purpose (one stored or set for another server is held back from this one), or simply
    // not set: say which, and never suggest a held-back key that does not exist.
    private static Mapping NoKeySent(Uri requestUri, string? heldBackKeyReason) => new(
        TtsErrorIds.AuthenticationFailed,
        TtsErrorCategory.AuthenticationError,
        "The speech server requires an API key, but none was sent",
        (heldBackKeyReason is null
            ? "No API key is set for " + HostOf(requestUri) + ". "
            : "A key was held back: " + heldBackKeyReason + ". ")
            + "Pass -ApiKey, or store a key for this server with 'Set-TtsConfiguration -BaseUrl <url> -ApiKey <key>' (or set AITRE_API_KEY).");

    private static void AppendServerWords(StringBuilder message, ServerError error, bool mentionHtml = true)
    {
        if (error.Message is not null)
        {
            message.Append(": \"").Append(error.Message).Append('"');
            if (mentionHtml && error.Shape == ErrorBodyShapes.Html)
            {
                message.Append(" (an HTML page, so likely from a proxy or gateway)");
            }
        }
        else if (error.Shape == ErrorBodyShapes.Empty)
        {
            message.Append(", with an empty body");
        }
        else if ((error.Code ?? error.Type) is string code)
        {
            message.Append(", code \"").Append(code).Append('"');
        }

        message.Append('.');
    }

    private static void AppendTail(StringBuilder message, string? requestId, int attempts, string? hint)
    {
        if (requestId is not null)
        {
            message.Append(" Request id: ").Append(requestId).Append('.');
        }

        if (attempts > 1)
        {
            message.Append(" Gave up after ").Append(attempts.ToString(CultureInfo.InvariantCulture)).Append(" attempts.");
        }

        if (hint is not null)
        {
            message.Append(' ').Append(hint);
        }
    }

    /// <summary>"HTTP 429 Too Many Requests"; the standard reason when the server sent none (HTTP/2 never does).</summary>
    internal static string StatusText(int status, string? reasonPhrase)
    {
        string code = status.ToString(CultureInfo.InvariantCulture);
        string? reason = ErrorBodyParser.Clean(reasonPhrase, MaximumHeaderTextLength) ?? StandardReason(status);
        return reason is null ? "HTTP " + code : "HTTP " + code + " " + reason;
    }

    internal static string? StandardReason(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => null,
    };

    // Scheme, host, port and path: never the query or any user:password@. One rule for every printed URL.
    private static string ShownUrl(Uri? uri) => SecretRedactor.ShownUrl(uri);

    private static string HostOf(Uri? uri) => uri is not null && uri.IsAbsoluteUri ? uri.Host : "this server";

    private static string PathOf(Uri? uri)
    {
        if (uri is null)
        {
            return string.Empty;
        }

        return uri.IsAbsoluteUri ? uri.AbsolutePath : StripQuery(uri.OriginalString);
    }

    private static string StripQuery(string url)
    {
        int query = url.IndexOfAny(new[] { '?', '#' });
        return query < 0 ? url : url.Substring(0, query);
    }

    private sealed class Mapping
    {
        public Mapping(string errorId, TtsErrorCategory category, string lead, string? hint)
        {
            ErrorId = errorId;
            Category = category;
            Lead = lead;
            Hint = hint;
        }

        public string ErrorId { get; }

        public TtsErrorCategory Category { get; }

        public string Lead { get; }

        public string? Hint { get; }
    }
}
