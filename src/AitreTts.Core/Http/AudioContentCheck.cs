using System;
using System.Text;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>
/// Decides from the Content-Type and the first bytes whether a 200 response really carries the audio that was asked
/// for. Gateways answer 200 with JSON errors or HTML login pages, and some servers ignore <c>response_format</c>.
/// </summary>
internal static class AudioContentCheck
{
    /// <summary>The container or codec the first bytes show, or null when they show none (raw pcm, text, unknown).</summary>
    public static AudioFormat? Detect(byte[] buffer, int count)
    {
        if (count >= 12 && Ascii(buffer, 0, "RIFF") && Ascii(buffer, 8, "WAVE"))
        {
            return AudioFormat.Wav;
        }

        if (count >= 4 && Ascii(buffer, 0, "OggS"))
        {
            return AudioFormat.Opus;
        }

        if (count >= 4 && Ascii(buffer, 0, "fLaC"))
        {
            return AudioFormat.Flac;
        }

        if (count >= 2 && buffer[0] == 0xFF)
        {
            // ADTS has a 12-bit sync and layer 00; MPEG audio has an 11-bit sync and a non-zero layer.
            if ((buffer[1] & 0xF6) == 0xF0)
            {
                return AudioFormat.Aac;
            }

            if ((buffer[1] & 0xE0) == 0xE0 && (buffer[1] & 0x06) != 0)
            {
                return AudioFormat.Mp3;
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="TtsException"/> when the start of a 200 body is not audio of <paramref name="expected"/>.</summary>
    public static void EnsureAudio(byte[] buffer, int count, AudioFormat expected, string? contentType, string? requestId, Uri requestUri)
    {
        string mediaType = (contentType ?? string.Empty).Trim().ToLowerInvariant();
        bool declaredText = mediaType.Contains("json") || mediaType.StartsWith("text/", StringComparison.Ordinal) || mediaType.Contains("html") || mediaType.Contains("xml");
        bool declaredAudio = mediaType.StartsWith("audio/", StringComparison.Ordinal);
        // An ID3 tag may precede mp3, aac and flac alike; the container behind it is checked no further.
        bool id3 = count >= 3 && Ascii(buffer, 0, "ID3");
        AudioFormat? detected = id3 ? null : Detect(buffer, count);

        if (declaredText || (detected is null && !id3 && !declaredAudio && LooksLikeText(buffer, count)))
        {
            throw HttpErrorMapper.FromNonAudioSuccess(contentType, BodyText.Of(buffer, 0, Math.Min(count, 4096)), requestId, requestUri);
        }

        if (detected is AudioFormat actual && actual != expected)
        {
            throw new TtsException(
                TtsErrorIds.UnexpectedResponse,
                TtsErrorCategory.InvalidResult,
                $"Asked {requestUri.Host} for {expected.ToApiName()} audio, but it sent {actual.ToApiName()}{(requestId is null ? string.Empty : " (request id " + requestId + ")")}. This server ignores the requested format: pass -Format {actual.ToApiName()} (or set it with Set-TtsConfiguration -Format {actual.ToApiName()}).")
            {
                RequestId = requestId,
                StatusCode = 200,
            };
        }
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

    private static bool Ascii(byte[] buffer, int offset, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (buffer[offset + i] != text[i])
            {
                return false;
            }
        }

        return true;
    }
}
