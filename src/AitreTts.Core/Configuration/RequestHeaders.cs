using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Text.Json.Nodes;
using AitreTts.Core.Errors;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Core.Configuration;

/// <summary>
/// Extra request headers for a gateway (-Headers). A header whose name suggests a credential is a secret: stored
/// protected like the key, and masked wherever it is shown.
/// </summary>
internal sealed class RequestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    // The module sets these itself: a second value would make the request ambiguous, or leak the key elsewhere.
    private static readonly HashSet<string> Reserved = new(
        ProviderProfile.KeyHeaderNames.Concat(new[] { "Host", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Accept-Encoding", "Expect" }),
        StringComparer.OrdinalIgnoreCase);

    private static readonly string[] CredentialWords = { "key", "token", "auth", "secret", "password", "signature", "cookie", "credential", "session" };

    private readonly List<KeyValuePair<string, string>> _headers = new();

    public int Count => _headers.Count;

    public static bool IsCredential(string name) => CredentialWords.Any(word => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0);

    /// <summary>A header set from -Headers: a hashtable or dictionary of names and values.</summary>
    /// <exception cref="TtsException">TtsInvalidHeader for a reserved name, a name that is no HTTP token, or a value with a line break.</exception>
    public static RequestHeaders From(IDictionary dictionary)
    {
        var headers = new RequestHeaders();
        foreach (DictionaryEntry entry in dictionary)
        {
            headers.Add(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, entry.Value is null ? string.Empty : Convert.ToString(entry.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        }

        return headers;
    }

    public void Add(string name, string value)
    {
        if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".IndexOf(c) >= 0))
        {
            throw Invalid($"'{name}' is not a valid header name.");
        }

        if (Reserved.Contains(name))
        {
            throw Invalid($"The header '{name}' is set by the module itself{(ProviderProfile.KeyHeaderNames.Contains(name, StringComparer.OrdinalIgnoreCase) ? "; give the key with -ApiKey" : string.Empty)}.");
        }

        if (value.IndexOfAny(new[] { '\r', '\n', '\0' }) >= 0)
        {
            throw Invalid($"The value of the header '{name}' holds a line break, which would split the request.");
        }

        _headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
        _headers.Add(new KeyValuePair<string, string>(name, value));
    }

    public static RequestHeaders Read(JsonObject stored, SecretProtector protector)
    {
        var headers = new RequestHeaders();
        foreach (KeyValuePair<string, JsonNode?> entry in stored)
        {
            string value = entry.Value?.GetValue<string>() ?? string.Empty;
            headers.Add(entry.Key, IsCredential(entry.Key) ? protector.Unprotect(value) : value);
        }

        return headers;
    }

    public JsonObject Write(SecretProtector protector)
    {
        var stored = new JsonObject();
        foreach (KeyValuePair<string, string> header in _headers)
        {
            stored[header.Key] = IsCredential(header.Key) ? protector.Protect(header.Value) : header.Value;
        }

        return stored;
    }

    /// <summary>Names and values, the values of credential headers masked.</summary>
    public OrderedDictionary Display()
    {
        var shown = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in _headers)
        {
            shown[header.Key] = IsCredential(header.Key) ? SecretText.Mask(header.Value) : header.Value;
        }

        return shown;
    }

    /// <summary>The values of credential headers: redacted from anything the module writes.</summary>
    public IEnumerable<string> Secrets() => _headers.Where(h => IsCredential(h.Key) && h.Value.Length > 0).Select(h => h.Value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", _headers.Select(h => h.Key));

    private static TtsException Invalid(string message) => new(TtsErrorIds.InvalidHeader, TtsErrorCategory.InvalidArgument, message + " -Headers takes a hashtable of extra headers, such as @{ 'X-Team' = 'ops' }.");
}
