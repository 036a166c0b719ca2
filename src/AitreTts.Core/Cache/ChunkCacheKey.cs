using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using AitreTts.Core.Http;

namespace AitreTts.Core.Cache;

/// <summary>
/// The name of one synthesized chunk in the <see cref="ChunkCache"/>: a SHA-256 over everything that decides the audio
/// a server returns for it. Two requests that differ in any of them never share an entry.
/// </summary>
internal sealed class ChunkCacheKey : IEquatable<ChunkCacheKey>
{
    // Changing how the key is computed changes this tag, so entries of the old scheme become unreachable misses that
    // age out through the size cap rather than answers to the wrong question.
    private const string Scheme = "AitreTts.ChunkCacheKey/1";

    private ChunkCacheKey(byte[] digest)
    {
        Digest = digest;
        Hex = ToHex(digest);
    }

    /// <summary>The 32 bytes of the SHA-256.</summary>
    internal byte[] Digest { get; }

    /// <summary>The SHA-256 as 64 lower-case hex digits: the entry's file name.</summary>
    internal string Hex { get; }

    /// <summary>The key of the chunk <paramref name="request"/> speaks, sent to <paramref name="endpoint"/>.</summary>
    internal static ChunkCacheKey For(TtsEndpoint endpoint, SpeechRequest request)
    {
        if (endpoint is null)
        {
            throw new ArgumentNullException(nameof(endpoint));
        }

        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        return Create(endpoint.SpeechUri, endpoint.Deployment, request.Model, request.Voice, request.Format, request.Speed, request.Instructions, request.Input, request.ExtraBody?.Canonical, endpoint.ExtraQuery?.Canonical);
    }

    /// <summary>
    /// The key of one chunk. <paramref name="speechUri"/> contributes its origin (scheme, host and port, case-folded
    /// as URLs are) and its path (as given, since servers may route by case); its query does not count, but the
    /// extra query parameters (<paramref name="extraQuery"/>, sorted) and extra body fields (<paramref name="extraBody"/>,
    /// canonical JSON) do: they are written only when given, so the keys of requests without them stay as they were.
    /// </summary>
    internal static ChunkCacheKey Create(Uri speechUri, string? deployment, string model, string voice, AudioFormat format, double speed, string? instructions, string text, string? extraBody = null, string? extraQuery = null)
    {
        if (speechUri is null)
        {
            throw new ArgumentNullException(nameof(speechUri));
        }

        if (!speechUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The speech URI must be absolute.", nameof(speechUri));
        }

        using var canonical = new MemoryStream(256 + (text?.Length ?? 0) * 2);
        Write(canonical, Scheme);
        Write(canonical, Origin(speechUri));
        Write(canonical, speechUri.AbsolutePath);
        Write(canonical, deployment);
        Write(canonical, model ?? throw new ArgumentNullException(nameof(model)));
        Write(canonical, voice ?? throw new ArgumentNullException(nameof(voice)));
        Write(canonical, format.ToApiName());
        // The request sends the speed rounded to four places (SpeechRequest.ToJsonUtf8), so speeds that send the same
        // number share a key; a fixed pattern gives the same digits on every runtime and in every culture.
        Write(canonical, Math.Round(speed, 4).ToString("0.0###", CultureInfo.InvariantCulture));
        Write(canonical, instructions);
        Write(canonical, text ?? throw new ArgumentNullException(nameof(text)));
        if (extraBody is not null || extraQuery is not null)
        {
            Write(canonical, extraBody);
            Write(canonical, extraQuery);
        }

        using SHA256 sha = SHA256.Create();
        return new ChunkCacheKey(sha.ComputeHash(canonical.GetBuffer(), 0, (int)canonical.Length));
    }

    public bool Equals(ChunkCacheKey? other) => other is not null && string.Equals(Hex, other.Hex, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ChunkCacheKey);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Hex);

    public override string ToString() => Hex;

    internal static string ToHex(byte[] bytes)
    {
        var hex = new StringBuilder(bytes.Length * 2);
        foreach (byte b in bytes)
        {
            hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    private static string Origin(Uri uri) =>
        string.Format(CultureInfo.InvariantCulture, "{0}://{1}:{2}", uri.Scheme, uri.Host, uri.Port).ToLowerInvariant();

    // Each field is its length in UTF-16 code units (-1 for null) followed by the code units themselves, so no two
    // different field lists give the same bytes: "ab"+"c" and "a"+"bc" differ in their lengths, null differs from "",
    // and text with unpaired surrogates is hashed as it is instead of being replaced by U+FFFD as UTF-8 would.
    private static void Write(MemoryStream canonical, string? field)
    {
        int length = field?.Length ?? -1;
        canonical.WriteByte((byte)length);
        canonical.WriteByte((byte)(length >> 8));
        canonical.WriteByte((byte)(length >> 16));
        canonical.WriteByte((byte)(length >> 24));
        if (field is null)
        {
            return;
        }

        foreach (char c in field)
        {
            canonical.WriteByte((byte)c);
            canonical.WriteByte((byte)(c >> 8));
        }
    }
}
