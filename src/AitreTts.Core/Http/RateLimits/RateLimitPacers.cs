using System;
using System.Collections.Concurrent;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using AitreTts.Core.Security;

namespace AitreTts.Core.Http;

/// <summary>
/// The pacers of this process, one per endpoint and key: static, so every call, runspace and
/// <c>ForEach-Object -Parallel</c> thread that uses the same account shares what the server said about its limit.
/// A key is known here only by a hash of it; the key itself is never kept.
/// </summary>
internal static class RateLimitPacers
{
    private static readonly ConcurrentDictionary<string, RateLimitPacer> Pacers = new(StringComparer.Ordinal);

    public static RateLimitPacer For(Uri speechUri, SecureString? apiKey) =>
        Pacers.GetOrAdd(Identity(speechUri, apiKey), _ => new RateLimitPacer(speechUri.Host));

    /// <summary>The endpoint (scheme, host, port, path; no query) and the first 128 bits of the key's SHA-256.</summary>
    internal static string Identity(Uri speechUri, SecureString? apiKey)
    {
        string endpoint = speechUri.GetLeftPart(UriPartial.Path).ToLowerInvariant();
        if (apiKey is null || apiKey.Length == 0)
        {
            return endpoint + "|anonymous";
        }

        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(SecretText.Reveal(apiKey)));
        var text = new StringBuilder(endpoint.Length + 33).Append(endpoint).Append('|');
        for (int i = 0; i < 16; i++)
        {
            text.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
