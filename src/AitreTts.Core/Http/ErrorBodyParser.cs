using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AitreTts.Core.Http;

/// <summary>
/// Reads what a speech server, gateway or proxy said in an error body, whatever shape it came in:
/// OpenAI's <c>{"error":{...}}</c>, flat objects, Kokoro's and FastAPI's <c>detail</c>, plain text or HTML.
/// </summary>
internal static class ErrorBodyParser
{
    /// <summary>The longest server message kept; longer ones end in "..." (ASCII, so Windows PowerShell 5.1 consoles show it).</summary>
    internal const int MaximumMessageLength = 500;

    /// <summary>The longest code, type or param kept.</summary>
    internal const int MaximumFieldLength = 200;

    // Error bodies worth reading are small; a huge page is cut before the regular expressions see it.
    private const int MaximumScannedLength = 64 * 1024;

    private const string Ellipsis = "...";

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private const RegexOptions HtmlOptions = RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant;
    private static readonly Regex HiddenElements = new(@"<(script|style|noscript|template|head)\b[^>]*>.*?</\1\s*>", HtmlOptions, RegexTimeout);
    private static readonly Regex Comments = new(@"<!--.*?-->", HtmlOptions, RegexTimeout);
    private static readonly Regex Title = new(@"<title\b[^>]*>(.*?)</title\s*>", HtmlOptions, RegexTimeout);
    private static readonly Regex Heading1 = new(@"<h1\b[^>]*>(.*?)</h1\s*>", HtmlOptions, RegexTimeout);
    private static readonly Regex Heading2 = new(@"<h2\b[^>]*>(.*?)</h2\s*>", HtmlOptions, RegexTimeout);
    private static readonly Regex Tags = new(@"<[^>]*>", HtmlOptions, RegexTimeout);
    private static readonly Regex Paragraph = new(@"<p\b[^>]*>(.*?)</p\s*>", HtmlOptions, RegexTimeout);

    // "400 Bad Request", "502 Bad Gateway", "Error 503": a title that says nothing the status did not already say.
    private static readonly Regex StatusLineOnly = new(@"^\W*(error\W*)?\d{3}(\W+[A-Za-z][A-Za-z \-]{0,40})?\W*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>
    /// Reads an error body. Never throws: a body of no known shape comes back as its text,
    /// and markup is never returned as such.
    /// </summary>
    /// <param name="contentType">The response's Content-Type header, if any (such as <c>application/json; charset=utf-8</c>).</param>
    /// <param name="body">The body as text, or the first part of it.</param>
    public static ServerError Parse(string? contentType, string? body)
    {
        try
        {
            return ParseCore(contentType, body);
        }
        catch (Exception)
        {
            // The parser runs while reporting another failure; it must not replace that failure with its own.
            return new ServerError { Message = CleanText(FallbackText(body)), Shape = ErrorBodyShapes.Text };
        }
    }

    private static ServerError ParseCore(string? contentType, string? body)
    {
        string text = (body ?? string.Empty).Trim().TrimStart('\uFEFF').Trim();
        if (text.Length == 0)
        {
            return new ServerError { Shape = ErrorBodyShapes.Empty };
        }

        if (text.Length > MaximumScannedLength)
        {
            text = text.Substring(0, MaximumScannedLength);
        }

        if (LooksLikeJson(contentType, text))
        {
            ServerError? fromJson = TryParseJson(text);
            if (fromJson is not null)
            {
                return fromJson;
            }
        }

        if (LooksLikeMarkup(contentType, text))
        {
            return ParseHtml(text);
        }

        return new ServerError { Message = CleanText(text), Shape = ErrorBodyShapes.Text };
    }

    private static bool LooksLikeJson(string? contentType, string text)
    {
        char first = text[0];
        return first == '{' || first == '[' || first == '"'
            || (contentType is not null && contentType.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0);
    }

    private static bool LooksLikeMarkup(string? contentType, string text)
    {
        if (text[0] == '<')
        {
            return true;
        }

        // A text/html body that starts with stray text still must not reach a message as markup.
        return contentType is not null
            && (contentType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0
                || contentType.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0)
            && text.IndexOf('<') >= 0;
    }

    private static ServerError? TryParseJson(string text)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text, JsonOptions);
            JsonElement root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    return FromObject(root);
                case JsonValueKind.Array:
                    foreach (JsonElement item in root.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object)
                        {
                            return FromObject(item);
                        }
                    }

                    return null;
                case JsonValueKind.String:
                    string? message = CleanText(root.GetString());
                    return message is null ? null : new ServerError { Message = message, Shape = ErrorBodyShapes.Text };
                default:
                    return null;
            }
        }
        catch (JsonException)
        {
            // Invalid JSON, whatever the Content-Type said: the caller falls back to text or HTML.
            return null;
        }
    }

    private static ServerError? FromObject(JsonElement root)
    {
        bool hasError = root.TryGetProperty("error", out JsonElement error);
        if (hasError && error.ValueKind == JsonValueKind.Array)
        {
            hasError = false;
            foreach (JsonElement item in error.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    error = item;
                    hasError = true;
                    break;
                }
            }
        }

        if (hasError && error.ValueKind == JsonValueKind.Object)
        {
            return new ServerError
            {
                Message = MessageOf(error, "message", "msg", "error", "detail"),
                Code = Scalar(error, "code"),
                Type = Scalar(error, "type"),
                Param = Scalar(error, "param"),
                Shape = ErrorBodyShapes.OpenAI,
            };
        }

        string? errorText = hasError && error.ValueKind == JsonValueKind.String ? CleanField(error.GetString()) : null;
        string? rootMessage = MessageOf(root, "message", "msg");
        if (rootMessage is not null)
        {
            // openedai-speech, and the {"error":"Bad Request","message":"..."} of Node frameworks.
            return new ServerError
            {
                Message = rootMessage,
                Code = Scalar(root, "code"),
                Type = Scalar(root, "type") ?? errorText,
                Param = Scalar(root, "param"),
                Shape = ErrorBodyShapes.Flat,
            };
        }

        if (errorText is not null)
        {
            return new ServerError
            {
                Message = CleanText(error.GetString()),
                Code = Scalar(root, "code"),
                Type = Scalar(root, "type"),
                Shape = ErrorBodyShapes.OpenAI,
            };
        }

        if (root.TryGetProperty("detail", out JsonElement detail))
        {
            switch (detail.ValueKind)
            {
                case JsonValueKind.Object:
                    return FromDetailObject(detail);
                case JsonValueKind.Array:
                    return FromDetailList(detail);
                case JsonValueKind.String:
                    return new ServerError
                    {
                        Message = CleanText(detail.GetString()),
                        Code = Scalar(root, "code"),
                        Type = Scalar(root, "type") ?? Scalar(root, "title"),
                        Shape = ErrorBodyShapes.DetailString,
                    };
            }
        }

        return null;
    }

    private static ServerError FromDetailObject(JsonElement detail)
    {
        // Kokoro-FastAPI: {"detail":{"error":"validation_error","message":"...","type":"invalid_request_error"}}.
        string? message = MessageOf(detail, "message", "msg", "detail");
        string? code = Scalar(detail, "code");
        string? errorField = Scalar(detail, "error");
        if (message is null)
        {
            message = errorField is null ? null : CleanText(errorField);
        }
        else
        {
            code ??= errorField;
        }

        return new ServerError
        {
            Message = message,
            Code = code,
            Type = Scalar(detail, "type"),
            Param = Scalar(detail, "param"),
            Shape = ErrorBodyShapes.DetailObject,
        };
    }

    private static ServerError FromDetailList(JsonElement detail)
    {
        // FastAPI validation: {"detail":[{"loc":["body","speed"],"msg":"Input should be ...","type":"less_than_equal"}]}.
        var parts = new List<string>();
        string? type = null;
        string? param = null;
        bool first = true;
        foreach (JsonElement item in detail.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                AddIfAny(parts, item.GetString());
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                string? message = MessageOf(item, "msg", "message");
                string? location = Location(item, out string? field);
                if (first)
                {
                    type = Scalar(item, "type");
                    param = field;
                }

                AddIfAny(parts, location is not null && message is not null ? location + ": " + message : message ?? location);
            }

            first = false;
        }

        return new ServerError
        {
            Message = CleanText(string.Join("; ", parts)),
            Type = type,
            Param = param,
            Shape = ErrorBodyShapes.DetailList,
        };
    }

    private static void AddIfAny(List<string> parts, string? part)
    {
        if (!string.IsNullOrWhiteSpace(part))
        {
            parts.Add(part!);
        }
    }

    // ["body","speed"] is "body.speed", ["body","items",0] is "body.items[0]"; the last name is the param.
    private static string? Location(JsonElement item, out string? field)
    {
        field = null;
        if (!item.TryGetProperty("loc", out JsonElement loc) || loc.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var builder = new StringBuilder();
        int names = 0;
        foreach (JsonElement part in loc.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Number)
            {
                builder.Append('[').Append(part.GetRawText()).Append(']');
            }
            else if (part.ValueKind == JsonValueKind.String)
            {
                string name = part.GetString() ?? string.Empty;
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append(name);
                names++;
                if (names > 1)
                {
                    field = name;
                }
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    private static string? MessageOf(JsonElement element, params string[] names)
    {
        foreach (string name in names)
        {
            if (!element.TryGetProperty(name, out JsonElement value))
            {
                continue;
            }

            string? text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                // NestJS-style validation: "message": ["input must be shorter than ..."].
                JsonValueKind.Array => JoinStrings(value),
                JsonValueKind.Object => value.GetRawText(),
                _ => null,
            };
            string? cleaned = CleanText(text);
            if (cleaned is not null)
            {
                return cleaned;
            }
        }

        return null;
    }

    private static string? JoinStrings(JsonElement array)
    {
        var parts = new List<string>();
        foreach (JsonElement item in array.EnumerateArray())
        {
            AddIfAny(parts, item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText());
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    // Codes come as strings, numbers ("code": 429) or null.
    private static string? Scalar(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => CleanField(value.GetString()),
            JsonValueKind.Number => CleanField(value.GetRawText()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    private static ServerError ParseHtml(string html)
    {
        string visible = Comments.Replace(html, " ");
        string? title = InnerText(Title.Match(visible));
        string? heading = InnerText(Heading1.Match(visible)) ?? InnerText(Heading2.Match(visible));
        string? message;
        if (title is not null && heading is not null)
        {
            if (title.IndexOf(heading, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                message = title;
            }
            else if (heading.IndexOf(title, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                message = heading;
            }
            else
            {
                message = title + " - " + heading;
            }
        }
        else
        {
            message = title ?? heading ?? StripTags(HiddenElements.Replace(visible, " "));
        }

        // When the title and heading only repeat the status, the explanation is in the page's first paragraph.
        if (message is not null && StatusLineOnly.IsMatch(message.Trim()) && InnerText(Paragraph.Match(visible)) is { Length: > 0 } paragraph)
        {
            message = message.Trim() + ": " + paragraph;
        }

        return new ServerError { Message = CleanText(message), Shape = ErrorBodyShapes.Html };
    }

    private static string? InnerText(Match match) => match.Success ? StripTags(match.Groups[1].Value) : null;

    private static string? StripTags(string markup)
    {
        // A space, not nothing, in place of each tag: Cloudflare's <span>Bad gateway</span><span>Error code 502</span> stays two phrases.
        string text = WebUtility.HtmlDecode(Tags.Replace(markup, " "));
        // A "<" left after decoding (&lt;script&gt;) must not come back as markup either.
        return CleanText(Tags.Replace(text, " "));
    }

    private static string? CleanField(string? text) => Clean(text, MaximumFieldLength);

    /// <summary>Collapses whitespace and control characters to single spaces and caps the length; <see langword="null"/> when nothing is left.</summary>
    internal static string? CleanText(string? text) => Clean(text, MaximumMessageLength);

    internal static string? Clean(string? text, int maximumLength)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maximumLength + 16));
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
            if (builder.Length > maximumLength)
            {
                break;
            }
        }

        if (builder.Length == 0)
        {
            return null;
        }

        return builder.Length > maximumLength ? Truncate(builder.ToString(), maximumLength) : builder.ToString();
    }

    private static string Truncate(string text, int maximumLength)
    {
        int cut = maximumLength - Ellipsis.Length;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return text.Substring(0, cut).TrimEnd() + Ellipsis;
    }

    // Only reached if something above failed unexpectedly: text as is, but never markup.
    private static string? FallbackText(string? text) => text is not null && text.IndexOf('<') >= 0 ? null : text;
}
