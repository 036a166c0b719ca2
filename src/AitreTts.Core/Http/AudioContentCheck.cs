using System;
using System.Text;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>
/// Turns the codec's verdict on a 200 body (<see cref="AudioCodec.CheckContent"/>) into the error the caller reports:
/// gateways answer 200 with JSON errors or HTML login pages, and some servers ignore <c>response_format</c>.
/// </summary>
internal static class AudioContentCheck
{
    /// <summary>Throws <see cref="TtsException"/> when the start of a 200 body is not audio of <paramref name="expected"/>.</summary>
    public static void EnsureAudio(byte[] buffer, int count, AudioFormat expected, string? contentType, string? requestId, Uri requestUri)
    {
        AudioContentVerdict verdict = AudioCodec.For(expected).CheckContent(buffer, count, contentType);
        if (verdict.Kind == AudioContentKind.Text)
        {
            throw HttpErrorMapper.FromNonAudioSuccess(contentType, BodyText.Of(buffer, 0, Math.Min(count, 4096)), requestId, requestUri);
        }

        if (verdict.Kind == AudioContentKind.OtherFormat)
        {
            string actual = verdict.SentFormat!.Value.ToApiName();
            throw new TtsException(
                TtsErrorIds.UnexpectedResponse,
                TtsErrorCategory.InvalidResult,
                $"Asked {requestUri.Host} for {expected.ToApiName()} audio, but it sent {actual}{(requestId is null ? string.Empty : " (request id " + requestId + ")")}. This server ignores the requested format: pass -Format {actual} (or set it with Set-TtsConfiguration -Format {actual}).")
            {
                RequestId = requestId,
                StatusCode = 200,
            };
        }
    }
}
