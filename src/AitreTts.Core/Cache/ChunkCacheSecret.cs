using System;
using System.IO;
using System.Security.Cryptography;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Files;
using AitreTts.Core.Security;

namespace AitreTts.Core.Cache;

/// <summary>
/// The per-user key that authenticates cache entries (HMAC-SHA256), so that whoever can write the cache folder cannot
/// plant an entry this user's runs would serve. It is 32 random bytes, stored beside the configuration as
/// <c>cache.key</c> in the form <see cref="SecretProtector"/> gives a stored API key (DPAPI on Windows, AES under the
/// private <c>secret.key</c> elsewhere): one way of keeping a secret for the whole module.
/// </summary>
internal sealed class ChunkCacheSecret
{
    internal const string FileName = "cache.key";
    private const int KeyLength = 32;

    private readonly object _gate = new();
    private readonly SecretProtector _protector;
    private byte[]? _key;

    internal ChunkCacheSecret(string configurationDirectory)
    {
        Directory = Path.GetFullPath(configurationDirectory);
        FilePath = Path.Combine(Directory, FileName);
        _protector = new SecretProtector(Directory);
    }

    internal string Directory { get; }

    internal string FilePath { get; }

    /// <summary>The secret of the current user's configuration folder (<see cref="ConfigurationStore.DefaultPath"/>).</summary>
    internal static ChunkCacheSecret ForCurrentUser() => new(Path.GetDirectoryName(ConfigurationStore.DefaultPath())!);

    /// <summary>
    /// The key, read once per instance. With <paramref name="create"/> false (a read of the cache) a missing or
    /// unreadable key is null and nothing is written; with it true (a put) a missing or unreadable key is replaced
    /// by a new one, which makes the entries stored under the old one misses that are fetched and stored again.
    /// </summary>
    /// <exception cref="IOException">The key file cannot be read or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The key file cannot be read or written.</exception>
    /// <exception cref="TtsException">The key protecting it (<c>secret.key</c>) is unusable and was left as it is.</exception>
    internal byte[]? Key(bool create, out string? problem)
    {
        problem = null;
        lock (_gate)
        {
            if (_key is not null)
            {
                return _key;
            }

            if (TryRead(out byte[]? key, out problem))
            {
                return _key = key;
            }

            if (!create)
            {
                return null;
            }

            _key = CreateKey(replace: problem is not null);
            problem = null;
            return _key;
        }
    }

    /// <summary>The MAC of <paramref name="header"/>'s first <paramref name="headerCount"/> bytes followed by <paramref name="body"/>.</summary>
    internal static byte[] Mac(byte[] key, byte[] header, int headerCount, byte[] body)
    {
        using var hmac = new HMACSHA256(key);
        hmac.TransformBlock(header, 0, headerCount, null, 0);
        hmac.TransformFinalBlock(body, 0, body.Length);
        return hmac.Hash;
    }

    // Missing: false with no problem. Present but unreadable (another user's or machine's DPAPI, secret.key replaced,
    // the file altered): false with the problem, for the verbose stream.
    private bool TryRead(out byte[]? key, out string? problem)
    {
        key = null;
        problem = null;
        string text;
        try
        {
            text = File.ReadAllText(FilePath).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        try
        {
            key = Convert.FromBase64String(_protector.Unprotect(text));
        }
        catch (Exception ex) when (ex is TtsException or FormatException)
        {
            problem = $"its key {FilePath} cannot be read ({ex.Message})";
            return false;
        }

        if (key.Length != KeyLength)
        {
            problem = $"its key {FilePath} holds {key.Length} bytes instead of {KeyLength}";
            key = null;
            return false;
        }

        return true;
    }

    // A new key appears whole or not at all. A first key is created once (PrivateFile.CreateOnce, as secret.key is): when
    // another process won that race, its key is the one both use. A key that cannot be read is replaced, and read
    // back, so two processes replacing it at once end on one.
    private byte[] CreateKey(bool replace)
    {
        byte[] key = new byte[KeyLength];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(key);
        }

        byte[] content = System.Text.Encoding.UTF8.GetBytes(_protector.Protect(Convert.ToBase64String(key)));
        if (replace)
        {
            PrivateFile.WriteAllBytes(FilePath, content);
        }
        else
        {
            PrivateFile.CreateOnce(FilePath, content);
        }

        return TryRead(out byte[]? stored, out _) ? stored! : key;
    }
}
