using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using AitreTts.Core.Configuration;
using AitreTts.Core.Security;

namespace AitreTts.Core.Http;

/// <summary>
/// The pacers of this process, one per endpoint and account (its key and credential headers): static, so every call, runspace and
/// <c>ForEach-Object -Parallel</c> thread that uses the same account shares what the server said about its limit.
/// A credential is known here only by a hash of it; the key and the headers' values are never kept.
/// </summary>
internal static class RateLimitPacers
{
    private static readonly ConcurrentDictionary<string, RateLimitPacer> Pacers = new(StringComparer.Ordinal);

    public static RateLimitPacer For(Uri speechUri, SecureString? apiKey, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        Pacers.GetOrAdd(Identity(speechUri, apiKey, headers), _ => new RateLimitPacer(speechUri.Host));

    /// <summary>
    /// The endpoint (scheme, host, port, path; no query) and the first 128 bits of a SHA-256 over the account's
    /// credentials: the key, and the credential headers of -Headers (an <c>Ocp-Apim-Subscription-Key</c>, an
    /// <c>X-Api-Key</c>), which name an account as surely as the key does. Other headers say nothing of the account.
    /// </summary>
    internal static string Identity(Uri speechUri, SecureString? apiKey, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        string endpoint = speechUri.GetLeftPart(UriPartial.Path).ToLowerInvariant();
        var credentials = new StringBuilder();
        if (apiKey is not null && apiKey.Length > 0)
        {
            credentials.Append(SecretText.Reveal(apiKey));
        }

        // Header names are case-insensitive, so they are compared, ordered and hashed in one case.
        foreach (KeyValuePair<string, string> header in (headers ?? Enumerable.Empty<KeyValuePair<string, string>>())
            .Where(h => RequestHeaders.IsCredential(h.Key) && h.Value.Length > 0)
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            credentials.Append('\n').Append(header.Key.ToLowerInvariant()).Append(':').Append(header.Value);
        }

        if (credentials.Length == 0)
        {
            return endpoint + "|anonymous";
        }

        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(credentials.ToString()));
        credentials.Clear();
        var text = new StringBuilder(endpoint.Length + 33).Append(endpoint).Append('|');
        for (int i = 0; i < 16; i++)
        {
            text.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
