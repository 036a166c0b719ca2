using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace AitreTts.Core.Providers;

/// <summary>How a provider takes its key: a header name, and the scheme before the key (Bearer), if any.</summary>
internal sealed record KeyHeader(string Name, string? Scheme)
{
    public static KeyHeader Bearer { get; } = new("Authorization", "Bearer");

    /// <summary>The header's value for a key: "Bearer sk-..." or the bare key.</summary>
    public string ValueFor(string key) => Scheme is null ? key : Scheme + " " + key;
}

/// <summary>Where a provider's speech, voices and models live for one server root.</summary>
internal sealed record ProviderRoutes(Uri Speech, Uri? Voices, Uri? Models);

/// <summary>
/// The hosts that tell a provider from its URL, used both to infer the provider and to explain its errors: exact
/// names, domain suffixes, loopback, and a path that only this provider's routes have (for hosts of the user's own,
/// such as an API gateway in front of Azure).
/// </summary>
internal sealed record ProviderHosts(IReadOnlyList<string> Names, IReadOnlyList<string> Suffixes, bool Loopback = false, string? RoutePath = null)
{
    public static ProviderHosts None { get; } = new(Array.Empty<string>(), Array.Empty<string>());

    /// <summary>True when the URL's host is one of the provider's.</summary>
    public bool MatchHost(Uri uri)
    {
        string host = uri.Host.ToLowerInvariant();
        return Names.Contains(host, StringComparer.Ordinal)
            || Suffixes.Any(suffix => host.EndsWith(suffix, StringComparison.Ordinal))
            || (Loopback && IsLoopback(uri));
    }

    /// <summary>True when the URL's path is one only this provider's routes have.</summary>
    public bool MatchRoute(Uri uri) => RoutePath is not null && uri.AbsolutePath.IndexOf(RoutePath, StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>True for localhost and loopback addresses.</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback
        || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
}

/// <summary>
/// A published list price for the models whose names start with <see cref="ModelPrefix"/>: per million input
/// characters, or per minute of audio (then the cost is an estimate from the expected length).
/// </summary>
internal sealed record ListPrice(string ModelPrefix, double? PerMillionCharacters, double? PerMinuteOfAudio, string PriceList);

/// <summary>What a request is expected to cost, in US dollars (null when nothing is known), and how that was reached.</summary>
internal sealed record PriceQuote(double? Dollars, string Basis);

/// <summary>The shapes of voice list a provider's servers send to <c>GET /v1/audio/voices</c>.</summary>
[Flags]
internal enum VoiceListShapes
{
    /// <summary>The provider serves no voice list: its catalogue, if any, stands in.</summary>
    None = 0,
    /// <summary>Kokoro-FastAPI: <c>{"voices":[{"id","name"}]}</c>.</summary>
    VoiceObjects = 1,
    /// <summary>Kokoro-FastAPI with <c>?legacy=true</c>, and older servers: <c>{"voices":["af_bella"]}</c>.</summary>
    VoiceNames = 2,
    /// <summary>OpenAI-style lists (mlx-audio): <c>{"object":"list","data":[{"id","name"}]}</c>.</summary>
    DataObjects = 4,
    /// <summary>A bare JSON array of names or objects.</summary>
    BareArray = 8,
    /// <summary>Any of them: a server whose software the module cannot tell.</summary>
    Any = VoiceObjects | VoiceNames | DataObjects | BareArray,
}
