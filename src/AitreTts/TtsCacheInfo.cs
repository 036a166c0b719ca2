namespace AitreTts;

/// <summary>What Get-TtsCache shows: where the chunk cache is, what it holds and how much it may hold.</summary>
public sealed class TtsCacheInfo
{
    internal TtsCacheInfo(string? path, int entries, long sizeBytes, long sizeLimitBytes, string profile)
    {
        Path = path;
        Entries = entries;
        SizeBytes = sizeBytes;
        SizeLimitBytes = sizeLimitBytes;
        Profile = profile;
    }

    /// <summary>The cache folder; null when the system names no folder for it (no home folder).</summary>
    public string? Path { get; }

    /// <summary>Chunks stored.</summary>
    public int Entries { get; }

    /// <summary>The bytes the entries take.</summary>
    public long SizeBytes { get; }

    /// <summary>The most the entries may take, from the profile's CacheSizeLimitMB; 0 when the cache is off.</summary>
    public long SizeLimitBytes { get; }

    /// <summary>True when Invoke-TextToSpeech reads and writes the cache with this profile.</summary>
    public bool Enabled => Path is not null && SizeLimitBytes > 0;

    /// <summary>The profile whose cap is shown.</summary>
    public string Profile { get; }

    /// <inheritdoc />
    public override string ToString() => Path ?? string.Empty;
}
