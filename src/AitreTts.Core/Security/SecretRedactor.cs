using System;
using System.Text;
using System.Text.RegularExpressions;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Security;

/// <summary>
/// Removes an API key from text before it reaches a message, a log or -Verbose output.
/// Servers and gateways echo keys back (OpenAI masks them; others may not), so every message built from
/// a response goes through here with the real key.
/// </summary>
/// <remarks>
/// The rule: every occurrence of the whole key, and every run of at least <see cref="MinimumFragmentLength"/>
/// consecutive characters of it (its start, as truncating gateways echo, its end or its middle), becomes
/// <c>***</c>. Shorter fragments stay, so OpenAI's own masked echo (<c>sk-proj-****...abcd</c>, which shows the
/// public <c>sk-proj-</c> prefix and the last four characters) reads as the server sent it. A key shorter than
/// <see cref="MinimumKeyLength"/> characters is left alone: such a key (<c>x</c>, <c>na</c>) is a placeholder for
/// servers that need none, and replacing every "x" would make the message unreadable.
/// </remarks>
internal static class SecretRedactor
{
    /// <summary>What a key or a fragment of it is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>The shortest run of the key's characters that is replaced when it is not the whole key.</summary>
    public const int MinimumFragmentLength = 12;

    /// <summary>Keys shorter than this are placeholders and are not looked for.</summary>
    public const int MinimumKeyLength = 4;

    /// <summary>Returns <paramref name="text"/> with the key and any long fragment of it replaced by <c>***</c>.</summary>
    /// <param name="text">Any text: a message, a server's words, a URL.</param>
    /// <param name="secret">The API key in plain text; <see langword="null"/> or empty leaves the text as is.</param>
    public static string Redact(string text, string? secret)
    {
        if (string.IsNullOrEmpty(text) || secret is null || secret.Length < MinimumKeyLength)
        {
            return text;
        }

        if (secret.Length < MinimumFragmentLength)
        {
            return text.IndexOf(secret, StringComparison.Ordinal) < 0 ? text : text.Replace(secret, Mask);
        }

        StringBuilder? builder = null;
        int copied = 0;
        int i = 0;
        while (i <= text.Length - MinimumFragmentLength)
        {
            int length = LongestKeyRunAt(text, i, secret);
            if (length < MinimumFragmentLength)
            {
                i++;
                continue;
            }

            builder ??= new StringBuilder(text.Length);
            builder.Append(text, copied, i - copied).Append(Mask);
            i += length;
            copied = i;
        }

        if (builder is null)
        {
            return text;
        }

        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// Returns an error whose message, server message and hint no longer hold the key; the id, category,
    /// status, request id, attempts and inner exception are kept. The same instance comes back when nothing changed.
    /// </summary>
    /// <param name="error">An error built from a response.</param>
    /// <param name="secret">The API key in plain text.</param>
    public static TtsException Redact(TtsException error, string? secret)
    {
        if (error is null)
        {
            throw new ArgumentNullException(nameof(error));
        }

        string message = Redact(error.Message, secret);
        string? serverMessage = error.ServerMessage is null ? null : Redact(error.ServerMessage, secret);
        string? serverCode = error.ServerCode is null ? null : Redact(error.ServerCode, secret);
        string? hint = error.Hint is null ? null : Redact(error.Hint, secret);
        // A server may echo anything in x-request-id, the key included.
        string? requestId = error.RequestId is null ? null : Redact(error.RequestId, secret);
        if (ReferenceEquals(message, error.Message)
            && ReferenceEquals(serverMessage, error.ServerMessage)
            && ReferenceEquals(serverCode, error.ServerCode)
            && ReferenceEquals(hint, error.Hint)
            && ReferenceEquals(requestId, error.RequestId))
        {
            return error;
        }

        return error.With(message, requestId: requestId, serverMessage: serverMessage, serverCode: serverCode, hint: hint);
    }

    /// <summary>
    /// A URL as messages and -Verbose show it: scheme, host, port and path, never its user info (a proxy's
    /// <c>user:password@</c>) or its query (where a server may have echoed the key).
    /// </summary>
    /// <param name="uri">Any URL.</param>
    public static string ShownUrl(Uri? uri)
    {
        if (uri is null)
        {
            return "(unknown URL)";
        }

        if (!uri.IsAbsoluteUri)
        {
            string text = uri.OriginalString;
            int query = text.IndexOfAny(new[] { '?', '#' });
            return RemoveUserInfo(query < 0 ? text : text.Substring(0, query));
        }

        return uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }

    /// <summary>
    /// An address the user typed, as messages show it, whether or not it parses as a URL: its query and fragment are
    /// dropped, and everything before its last '@' (a <c>user:password@</c>, with or without a scheme)
    /// becomes <c>***@</c>.
    /// </summary>
    /// <param name="text">A base URL or proxy address as given.</param>
    public static string ShownAddress(string? text)
    {
        string address = (text ?? string.Empty).Trim();
        int end = address.IndexOfAny(new[] { '?', '#' });
        if (end >= 0)
        {
            address = address.Substring(0, end);
        }

        // The last '@' anywhere, not only in what looks like the authority: a password may hold a '/' that would end
        // the authority early. Masking an '@' in a path as well costs nothing.
        int separator = address.IndexOf("://", StringComparison.Ordinal);
        int authorityStart = separator < 0 ? 0 : separator + 3;
        int at = address.LastIndexOf('@');
        if (at >= authorityStart)
        {
            address = address.Substring(0, authorityStart) + Mask + address.Substring(at);
        }

        return address;
    }

    /// <summary>
    /// A proxy URL with its password masked and its user kept, so a user can tell which account it names. Set-TtsConfiguration
    /// takes a password out of a proxy URL before storing it; an older or hand-edited file may still hold one there.
    /// </summary>
    public static string WithoutPassword(string proxy)
    {
        if (!Uri.TryCreate(proxy, UriKind.Absolute, out Uri? uri) || uri.UserInfo.Length == 0)
        {
            return proxy;
        }

        int colon = uri.UserInfo.IndexOf(':');
        return new UriBuilder(uri) { Password = colon < 0 ? string.Empty : "********" }.Uri.ToString();
    }

    /// <summary>
    /// Replaces the user info of every URL in <paramref name="text"/> (<c>http://user:password@proxy</c>) with
    /// <c>***@</c>, since .NET quotes a proxy's URL, password included, in some of its exception messages.
    /// </summary>
    /// <param name="text">Any text.</param>
    public static string RemoveUserInfo(string text) =>
        string.IsNullOrEmpty(text) ? text : UserInfoInUrl.Replace(text, "${scheme}" + Mask + "@");

    private static readonly Regex UserInfoInUrl = new(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/?#\s@]+@", RegexOptions.CultureInvariant);

    // The longest run starting at text[start] that appears somewhere in the key.
    private static int LongestKeyRunAt(string text, int start, string secret)
    {
        int best = 0;
        int from = secret.IndexOf(text.Substring(start, MinimumFragmentLength), StringComparison.Ordinal);
        while (from >= 0)
        {
            int length = MinimumFragmentLength;
            while (start + length < text.Length && from + length < secret.Length && text[start + length] == secret[from + length])
            {
                length++;
            }

            best = Math.Max(best, length);
            from = from + 1 <= secret.Length - MinimumFragmentLength
                ? secret.IndexOf(text.Substring(start, MinimumFragmentLength), from + 1, StringComparison.Ordinal)
                : -1;
        }

        return best;
    }
}
