using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Configuration;

/// <summary>
/// Query parameters added to every request's URL (-ExtraQuery), for a server that needs them: mlx-audio's
/// <c>?model=</c>. Plain name = value text; a name that suggests a credential is refused, since a URL ends up in
/// logs and proxies' records (give it with -Headers, which keeps it secret).
/// </summary>
internal sealed class ExtraQueryParameters : IEnumerable<KeyValuePair<string, string>>
{
    // Azure's deployment route sets api-version from -ApiVersion.
    private static readonly HashSet<string> Owned = new(StringComparer.OrdinalIgnoreCase) { "api-version" };

    private readonly List<KeyValuePair<string, string>> _parameters = new();

    public int Count => _parameters.Count;

    /// <summary>Parameters from -ExtraQuery: a hashtable of names and text, numbers or true/false.</summary>
    /// <exception cref="TtsException">TtsInvalidExtraField for an owned or credential-like name, or a value that is not one piece of text.</exception>
    public static ExtraQueryParameters From(IDictionary dictionary, Func<object?, object?>? unwrap = null)
    {
        unwrap ??= value => value;
        var query = new ExtraQueryParameters();
        foreach (DictionaryEntry entry in dictionary)
        {
            string name = unwrap(entry.Key) as string ?? throw Invalid($"-ExtraQuery has a name that is not text ({entry.Key}).");
            object? value = unwrap(entry.Value);
            string text = value switch
            {
                null => string.Empty,
                string s => s,
                bool flag => flag ? "true" : "false",
                IFormattable number when value is not Enum => number.ToString(null, CultureInfo.InvariantCulture),
                Enum named => named.ToString(),
                _ => throw Invalid($"-ExtraQuery's '{name}' is a {value.GetType().Name}; a query parameter takes one piece of text or a number."),
            };
            query.Add(name, text);
        }

        return query;
    }

    /// <summary>Parameters stored in a profile; refused as -ExtraQuery would refuse them.</summary>
    /// <exception cref="FormatException">The stored value is no JSON object of text, or names an owned or credential-like parameter.</exception>
    public static ExtraQueryParameters Read(JsonNode? stored)
    {
        if (stored is not JsonObject parameters)
        {
            throw new FormatException("ExtraQuery must be a JSON object of names and text.");
        }

        var query = new ExtraQueryParameters();
        try
        {
            foreach (KeyValuePair<string, JsonNode?> parameter in parameters)
            {
                query.Add(parameter.Key, parameter.Value?.GetValue<string>() ?? string.Empty);
            }
        }
        catch (Exception ex) when (ex is TtsException or InvalidOperationException)
        {
            throw new FormatException(ex.Message, ex);
        }

        return query;
    }

    public JsonNode Write()
    {
        var stored = new JsonObject();
        foreach (KeyValuePair<string, string> parameter in _parameters)
        {
            stored[parameter.Key] = parameter.Value;
        }

        return stored;
    }

    /// <summary><paramref name="uri"/> with these parameters after its own query (Azure's api-version stays first).</summary>
    public Uri AppendTo(Uri uri)
    {
        if (_parameters.Count == 0)
        {
            return uri;
        }

        string own = uri.Query.TrimStart('?');
        string extra = ToString();
        return new UriBuilder(uri) { Query = own.Length == 0 ? extra : own + "&" + extra }.Uri;
    }

    /// <summary>True when a parameter of this name is set (a list request then does not add its own).</summary>
    public bool Has(string name) => _parameters.Any(p => string.Equals(p.Key, name, StringComparison.Ordinal));

    /// <summary>The parameters sorted by name, as the cache key counts them: their order changes nothing the server says.</summary>
    public string Canonical => string.Join("&", _parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(Encoded));

    public override string ToString() => string.Join("&", _parameters.Select(Encoded));

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _parameters.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Add(string name, string value)
    {
        if (name.Length == 0)
        {
            throw Invalid("-ExtraQuery has an empty name.");
        }

        if (Owned.Contains(name))
        {
            throw Invalid($"-ExtraQuery cannot set '{name}': the module sets it itself, from -ApiVersion.");
        }

        if (RequestHeaders.IsCredential(name))
        {
            throw Invalid($"-ExtraQuery's '{name}' looks like a credential, and a URL ends up in logs and proxies' records: give it with -Headers (kept secret) or -ApiKey.");
        }

        _parameters.RemoveAll(p => string.Equals(p.Key, name, StringComparison.Ordinal));
        _parameters.Add(new KeyValuePair<string, string>(name, value));
    }

    private static string Encoded(KeyValuePair<string, string> parameter) => Uri.EscapeDataString(parameter.Key) + "=" + Uri.EscapeDataString(parameter.Value);

    private static TtsException Invalid(string message) => new(TtsErrorIds.InvalidExtraField, TtsErrorCategory.InvalidArgument, message);
}
