using System;

namespace AitreTts.Core.Audio;

/// <summary>What the start of a body is, judged against the format asked for: see <see cref="AudioCodec.CheckContent"/>.</summary>
internal enum AudioContentKind
{
    /// <summary>Audio of the asked format, or bytes that may be (headerless pcm, a body behind an ID3 tag).</summary>
    Audio,

    /// <summary>Text dressed as a success: gateways answer 200 with JSON errors or HTML login pages.</summary>
    Text,

    /// <summary>Audio of another format: the server ignored <c>response_format</c>.</summary>
    OtherFormat,
}

/// <param name="Kind">What the body is.</param>
/// <param name="SentFormat">The format the body shows, when it shows one.</param>
internal sealed record AudioContentVerdict(AudioContentKind Kind, AudioFormat? SentFormat)
{
    public bool IsAudio => Kind == AudioContentKind.Audio;

    /// <summary>The format whose container or frame sync the first bytes show, or null when they show none (raw pcm, text, unknown).</summary>
    public static AudioFormat? Detect(byte[] start, int count)
    {
        foreach (AudioFormat format in AudioFormats.All)
        {
            if (AudioCodec.For(format).Recognizes(start, count))
            {
                return format;
            }
        }

        return null;
    }

    internal static AudioContentVerdict Judge(AudioCodec expected, byte[] start, int count, string? contentType)
    {
        if (start is null)
        {
            throw new ArgumentNullException(nameof(start));
        }

        string mediaType = (contentType ?? string.Empty).Trim().ToLowerInvariant();
        bool declaredText = mediaType.Contains("json") || mediaType.StartsWith("text/", StringComparison.Ordinal) || mediaType.Contains("html") || mediaType.Contains("xml");
        bool declaredAudio = mediaType.StartsWith("audio/", StringComparison.Ordinal);
        // An ID3 tag may precede mp3, aac and flac alike; the container behind it is checked no further.
        bool id3 = count >= 3 && Bytes.Ascii(start, 0, "ID3");
        AudioFormat? detected = id3 ? null : Detect(start, count);

        if (declaredText || (detected is null && !id3 && !declaredAudio && LooksLikeText(start, count)))
        {
            return new AudioContentVerdict(AudioContentKind.Text, null);
        }

        return detected is AudioFormat sent && sent != expected.Format
            ? new AudioContentVerdict(AudioContentKind.OtherFormat, sent)
            : new AudioContentVerdict(AudioContentKind.Audio, detected);
    }

    private static bool LooksLikeText(byte[] buffer, int count)
    {
        int i = 0;
        while (i < count && (buffer[i] == ' ' || buffer[i] == '\t' || buffer[i] == '\r' || buffer[i] == '\n'))
        {
            i++;
        }

        if (i >= count)
        {
            return true;
        }

        if (buffer[i] != '{' && buffer[i] != '[' && buffer[i] != '<')
        {
            return false;
        }

        // Raw pcm can start with any byte; text is nearly all printable ASCII or UTF-8.
        int printable = 0;
        int checkedBytes = Math.Min(count, 512);
        for (int j = 0; j < checkedBytes; j++)
        {
            byte b = buffer[j];
            if (b >= 0x20 || b == '\t' || b == '\r' || b == '\n')
            {
                printable++;
            }
        }

        return printable >= checkedBytes * 0.95;
    }
}
