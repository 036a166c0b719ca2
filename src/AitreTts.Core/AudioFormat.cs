using System;
using System.Collections.Generic;
using System.Linq;
using AitreTts.Core.Errors;

namespace AitreTts.Core;

/// <summary>The audio formats the speech API offers as <c>response_format</c>.</summary>
public enum AudioFormat
{
    /// <summary>MPEG-1 Layer III, OpenAI's default.</summary>
    Mp3,
    /// <summary>Opus in an Ogg container.</summary>
    Opus,
    /// <summary>AAC in ADTS framing.</summary>
    Aac,
    /// <summary>Native FLAC.</summary>
    Flac,
    /// <summary>RIFF WAVE, 16-bit PCM.</summary>
    Wav,
    /// <summary>Raw 16-bit signed little-endian mono samples, no header.</summary>
    Pcm,
}

/// <summary>Names, extensions and parsing of <see cref="AudioFormat"/>.</summary>
internal static class AudioFormats
{
    /// <summary>Every format, in the order the API documents them.</summary>
    public static IReadOnlyList<AudioFormat> All { get; } = new[]
    {
        AudioFormat.Mp3, AudioFormat.Opus, AudioFormat.Aac, AudioFormat.Flac, AudioFormat.Wav, AudioFormat.Pcm,
    };

    /// <summary>OpenAI's default, and the format of a request that names none.</summary>
    public static AudioFormat Default => AudioFormat.Mp3;

    /// <summary>Every format's API name, for messages: "mp3, opus, aac, flac, wav, pcm".</summary>
    public static string Names { get; } = string.Join(", ", All.Select(format => format.ToApiName()));

    /// <summary>The error for a name that is no format: <see cref="TtsErrorIds.InvalidFormat"/>.</summary>
    public static TtsException Unknown(string name) =>
        new(TtsErrorIds.InvalidFormat, TtsErrorCategory.InvalidArgument, $"'{name}' is not a format the speech API offers. Use one of: {Names}.");

    /// <summary>The value sent as <c>response_format</c>, which is also the file extension without its dot.</summary>
    public static string ToApiName(this AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => "mp3",
        AudioFormat.Opus => "opus",
        AudioFormat.Aac => "aac",
        AudioFormat.Flac => "flac",
        AudioFormat.Wav => "wav",
        AudioFormat.Pcm => "pcm",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>
    /// The formats named by their API names, such as "wav, opus"; for tables elsewhere (a provider's documented
    /// formats) that must not name the enum's members. An unknown name is a programming error.
    /// </summary>
    public static IReadOnlyList<AudioFormat> Named(string apiNames) =>
        apiNames.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(Named1).ToArray();

    private static AudioFormat Named1(string apiName) =>
        TryParse(apiName, out AudioFormat format) && string.Equals(format.ToApiName(), apiName, StringComparison.Ordinal)
            ? format
            : throw new ArgumentException($"'{apiName}' is not the API name of a format.", nameof(apiName));

    /// <summary>The file extension, with its dot.</summary>
    public static string ToExtension(this AudioFormat format) => "." + format.ToApiName();

    /// <summary>Parses an API name such as <c>mp3</c>, case-insensitively; a leading dot is allowed.</summary>
    public static bool TryParse(string? value, out AudioFormat format)
    {
        format = Default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        string name = value!.Trim().TrimStart('.');
        foreach (AudioFormat candidate in All)
        {
            if (string.Equals(candidate.ToApiName(), name, StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }

        // Extensions users commonly give to the same formats.
        switch (name.ToLowerInvariant())
        {
            case "ogg":
            case "oga":
                format = AudioFormat.Opus;
                return true;
            case "wave":
                format = AudioFormat.Wav;
                return true;
            case "raw":
                format = AudioFormat.Pcm;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The format a file extension names, or null when the extension names none.</summary>
    public static AudioFormat? FromPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        string extension = System.IO.Path.GetExtension(path);
        return TryParse(extension, out AudioFormat format) && extension.Length > 1 ? format : null;
    }
}
