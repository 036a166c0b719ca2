using System;
using System.Globalization;
using System.IO;
using System.Text;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>
/// The error for a 200 answer whose body is not well-formed audio of the asked format (<see cref="WellFormedAudio"/>):
/// JSON labelled audio/mpeg, a cut mp3, a gzip body never asked for. It names the answer, never a temporary file, and
/// is the same whether the chunk cache is used or not.
/// </summary>
internal static class NotAudioAnswer
{
    /// <summary>
    /// Throws when the audio just written to <paramref name="audio"/> is not well-formed <paramref name="format"/>;
    /// otherwise returns what the check measured in it (<see cref="WellFormedAudio.Check"/>).
    /// </summary>
    public static AudioInfo Ensure(AudioFormat format, Stream audio, SpeechResponse response, string host)
    {
        (string? problem, AudioInfo? measured) = WellFormedAudio.Check(format, audio);
        return measured ?? throw Error(format, response, WellFormedAudio.ReadBack(audio), problem!, host);
    }

    private static TtsException Error(AudioFormat format, SpeechResponse response, byte[] body, string problem, string host)
    {
        var answer = new StringBuilder();
        answer.Append("HTTP ").Append(response.StatusCode.ToString(CultureInfo.InvariantCulture))
            .Append(", Content-Type: ").Append(ErrorBodyParser.Clean(response.ContentType, 100) ?? "none");
        if (response.ContentEncoding is string encoding)
        {
            answer.Append(", Content-Encoding: ").Append(ErrorBodyParser.Clean(encoding, 100));
        }

        if (response.RequestId is string requestId)
        {
            answer.Append(", request id ").Append(requestId);
        }

        string message = string.Format(
            CultureInfo.InvariantCulture,
            "{0} answered ({1}) with {2} bytes that are not {3} audio: the body {4}. It starts with {5}. Nothing of it was written to the output or the chunk cache.",
            host,
            answer,
            body.Length,
            format.ToApiName(),
            problem,
            Excerpt(body));
        return new TtsException(TtsErrorIds.UnexpectedResponse, TtsErrorCategory.InvalidData, message)
        {
            StatusCode = response.StatusCode,
            RequestId = response.RequestId,
        };
    }

    // Text when the start is text (a JSON error, a page), cleaned of control characters and cut short; otherwise hex.
    // Either way nothing raw from the server reaches a terminal.
    private static string Excerpt(byte[] body)
    {
        const int TextBytes = 200;
        const int HexBytes = 16;
        int count = Math.Min(body.Length, TextBytes);
        bool text = count > 0;
        for (int i = 0; i < count && text; i++)
        {
            byte b = body[i];
            text = b >= 0x20 ? b != 0x7F : b is (byte)'\t' or (byte)'\r' or (byte)'\n';
        }

        if (text && ErrorBodyParser.Clean(new UTF8Encoding(false, false).GetString(body, 0, count), 120) is string shown)
        {
            return "\"" + shown + "\"";
        }

        var hex = new StringBuilder();
        for (int i = 0; i < Math.Min(body.Length, HexBytes); i++)
        {
            hex.Append(i == 0 ? string.Empty : " ").Append(body[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return "the bytes " + hex + (body.Length > HexBytes ? " ..." : string.Empty);
    }
}
