using System.Text.Json;

namespace TtsEmulator;

/// <summary>The speech request's fields, read without judging them, for the record and for fault matching.</summary>
internal readonly record struct SpeechFields(string? Model, string? Input, string? Voice, string? ResponseFormat, double? Speed, string? Instructions)
{
    /// <summary>The id of a custom voice sent as <c>{"id": ...}</c>.</summary>
    public string? VoiceId { get; init; }

    public static SpeechFields ReadLeniently(byte[] body)
    {
        if (body.Length == 0)
        {
            return default;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            return new SpeechFields(
                StringOf(root, "model"),
                StringOf(root, "input"),
                StringOf(root, "voice"),
                StringOf(root, "response_format"),
                root.TryGetProperty("speed", out JsonElement speed) && speed.ValueKind == JsonValueKind.Number ? speed.GetDouble() : null,
                StringOf(root, "instructions"))
            {
                VoiceId = root.TryGetProperty("voice", out JsonElement voice) && voice.ValueKind == JsonValueKind.Object ? StringOf(voice, "id") : null,
            };
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? StringOf(JsonElement root, string name)
        => root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
