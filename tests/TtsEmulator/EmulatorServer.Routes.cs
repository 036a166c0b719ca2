using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using TtsEmulator.Audio;

namespace TtsEmulator;

public sealed partial class EmulatorServer
{
    private const string MissingKeyMessage = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.";

    [GeneratedRegex("^/openai/deployments/(?<deployment>[^/]+)/audio/speech$", RegexOptions.CultureInvariant)]
    private static partial Regex AzureDeploymentRoute();

    private Reply Route(HttpContext context, string path, byte[] body)
    {
        HttpRequest request = context.Request;
        bool post = HttpMethods.IsPost(request.Method);
        bool get = HttpMethods.IsGet(request.Method);

        if (path == "/v1/audio/speech" || path == "/openai/v1/audio/speech")
        {
            bool azure = path.StartsWith("/openai/", StringComparison.Ordinal);
            return !post ? MethodNotAllowed(request, path) : Authorize(request, azure) ?? Speech(body, deployment: null);
        }

        Match deployment = AzureDeploymentRoute().Match(path);
        if (deployment.Success)
        {
            if (!post)
            {
                return MethodNotAllowed(request, path);
            }

            if (Authorize(request, azure: true) is Reply denied)
            {
                return denied;
            }

            // Azure answers a missing api-version like a wrong URL.
            return string.IsNullOrEmpty(request.Query["api-version"])
                ? Reply.Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "404", ["message"] = "Resource not found" } })
                : Speech(body, Uri.UnescapeDataString(deployment.Groups["deployment"].Value));
        }

        if (path == "/v1/audio/voices" && Options.VoicesShape != VoicesEndpointShape.None)
        {
            return !get ? MethodNotAllowed(request, path) : Authorize(request, azure: false) ?? Voices(request);
        }

        if (path == "/v1/models" && Options.ModelsEndpoint)
        {
            return !get ? MethodNotAllowed(request, path) : Authorize(request, azure: false) ?? ModelList();
        }

        return Reply.Error(404, $"Invalid URL ({request.Method} {path})", null, null);
    }

    private static Reply MethodNotAllowed(HttpRequest request, string path)
    {
        Reply reply = Reply.Error(405, $"Method not allowed ({request.Method} {path})", null, null);
        reply.Headers["Allow"] = path.EndsWith("/speech", StringComparison.Ordinal) ? "POST" : "GET";
        return reply;
    }

    private static string Mask(string key) => key.Length <= 8 ? "***" : key[..3] + "*****" + key[^4..];

    /// <summary>Null when the request may go on, else the 401 to answer.</summary>
    private Reply? Authorize(HttpRequest request, bool azure)
    {
        string? key = null;
        if (azure && request.Headers.TryGetValue("api-key", out var apiKey) && !string.IsNullOrWhiteSpace(apiKey.ToString()))
        {
            key = apiKey.ToString().Trim();
        }
        else if (request.Headers.Authorization.ToString() is { Length: > 0 } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && authorization[7..].Trim() is { Length: > 0 } token)
        {
            key = token;
        }

        if (key is null)
        {
            return Options.AllowAnonymous ? null : Reply.Error(401, MissingKeyMessage, null, "invalid_api_key");
        }

        string? required = Options.RequiredApiKey;
        if (required is not null && !string.Equals(key, required, StringComparison.Ordinal))
        {
            return Reply.Error(401, $"Incorrect API key provided: {Mask(key)}. You can find your API key at https://platform.openai.com/account/api-keys.", null, "invalid_api_key");
        }

        return null;
    }

    private Reply Speech(byte[] body, string? deployment)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Reply.Error(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", null, null);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Reply.Error(400, "Invalid type for body: expected an object.", null, "invalid_type");
            }

            if (ReadString(root, "model", out string? model) is Reply badModel)
            {
                return badModel;
            }

            model ??= deployment;
            if (string.IsNullOrEmpty(model))
            {
                return Reply.Error(400, "Missing required parameter: 'model'.", "model", "missing_required_parameter");
            }

            if (ReadString(root, "input", out string? input) is Reply badInput)
            {
                return badInput;
            }

            if (input is null)
            {
                return Reply.Error(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter");
            }

            // OpenAI counts characters (code points), not UTF-16 units.
            int characters = input.EnumerateRunes().Count();
            if (characters > MaxInputCharacters)
            {
                return Reply.Error(400, $"Invalid 'input': string too long. Expected a string with maximum length {MaxInputCharacters}, but got a string with length {characters} instead.", "input", "string_above_max_length");
            }

            // A custom voice comes as {"id": "voice_1234"} (openai-python, types/audio/speech_create_params.py).
            string? voice;
            if (root.TryGetProperty("voice", out JsonElement voiceObject) && voiceObject.ValueKind == JsonValueKind.Object)
            {
                voice = voiceObject.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                if (voice is null || !voice.StartsWith("voice_", StringComparison.Ordinal))
                {
                    return Reply.Error(400, "Invalid 'voice': a custom voice must be an object with an 'id' such as 'voice_1234'.", "voice", "invalid_value");
                }
            }
            else
            {
                if (ReadString(root, "voice", out voice) is Reply badVoice)
                {
                    return badVoice;
                }

                if (voice is null)
                {
                    return Reply.Error(400, "Missing required parameter: 'voice'.", "voice", "missing_required_parameter");
                }

                string[] voices = Options.Voices;
                if (!voices.Contains(voice, StringComparer.Ordinal))
                {
                    return Reply.Error(400, $"Invalid value: '{voice}'. Supported values are: {string.Join(", ", voices.Select(v => "'" + v + "'"))}.", "voice", "invalid_value");
                }
            }

            if (ReadString(root, "response_format", out string? format) is Reply badFormat)
            {
                return badFormat;
            }

            format ??= "mp3";
            if (!Formats.Contains(format, StringComparer.Ordinal))
            {
                return Reply.Error(400, $"Invalid value: '{format}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.", "response_format", "invalid_value");
            }

            double speed = 1.0;
            if (root.TryGetProperty("speed", out JsonElement speedElement) && speedElement.ValueKind != JsonValueKind.Null)
            {
                if (speedElement.ValueKind != JsonValueKind.Number)
                {
                    return Reply.Error(400, $"Invalid type for 'speed': expected a decimal, but got {Describe(speedElement)} instead.", "speed", "invalid_type");
                }

                speed = speedElement.GetDouble();
                if (speed < 0.25)
                {
                    return Reply.Error(400, $"Invalid 'speed': decimal below minimum value. Expected a value >= 0.25, but got {speed.ToString(CultureInfo.InvariantCulture)} instead.", "speed", "decimal_below_min_value");
                }

                if (speed > 4.0)
                {
                    return Reply.Error(400, $"Invalid 'speed': decimal above maximum value. Expected a value <= 4, but got {speed.ToString(CultureInfo.InvariantCulture)} instead.", "speed", "decimal_above_max_value");
                }
            }

            if (ReadString(root, "instructions", out _) is Reply badInstructions)
            {
                return badInstructions;
            }

            if (ReadString(root, "stream_format", out string? streamFormat) is Reply badStream)
            {
                return badStream;
            }

            if (streamFormat is not null and not "audio" and not "sse")
            {
                return Reply.Error(400, $"Invalid value: '{streamFormat}'. Supported values are: 'sse' and 'audio'.", "stream_format", "invalid_value");
            }

            bool sse = streamFormat == "sse";
            if (sse && model is "tts-1" or "tts-1-hd")
            {
                return Reply.Error(400, $"stream_format 'sse' is not supported for model '{model}'.", "stream_format", "unsupported_value");
            }

            double seconds = AudioFactory.DurationOf(input, Options.SecondsPerCharacter, speed);
            byte[] audio = AudioFactory.Create(format, input, voice, seconds, Options.PcmSampleRate);
            return sse
                ? new Reply(200, ServerSentEvents(audio, characters), "text/event-stream") { Chunked = true }
                : new Reply(200, audio, AudioFactory.ContentTypeOf(format));
        }
    }

    /// <summary>
    /// The <c>stream_format: "sse"</c> answer: the audio as base64 <c>speech.audio.delta</c> events, then a
    /// <c>speech.audio.done</c> event carrying token usage.
    /// </summary>
    private static byte[] ServerSentEvents(byte[] audio, int characters)
    {
        var text = new StringBuilder();
        for (int offset = 0; offset < audio.Length; offset += 12 * 1024)
        {
            int count = Math.Min(12 * 1024, audio.Length - offset);
            var delta = new JsonObject { ["type"] = "speech.audio.delta", ["audio"] = Convert.ToBase64String(audio, offset, count) };
            text.Append("data: ").Append(delta.ToJsonString(Json)).Append("\n\n");
        }

        int inputTokens = Math.Max(1, characters / 4);
        int outputTokens = Math.Max(1, audio.Length / 1000);
        var done = new JsonObject
        {
            ["type"] = "speech.audio.done",
            ["usage"] = new JsonObject { ["input_tokens"] = inputTokens, ["output_tokens"] = outputTokens, ["total_tokens"] = inputTokens + outputTokens },
        };
        text.Append("data: ").Append(done.ToJsonString(Json)).Append("\n\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>Reads an optional string property; a 400 when it is there with another type.</summary>
    private static Reply? ReadString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return Reply.Error(400, $"Invalid type for '{name}': expected a string, but got {Describe(element)} instead.", name, "invalid_type");
        }

        value = element.GetString();
        return null;
    }

    private Reply Voices(HttpRequest request)
    {
        string[] voices = Options.Voices;
        if (Options.VoicesShape == VoicesEndpointShape.Data)
        {
            // mlx-audio lists the voices of one model, and refuses to guess which.
            if (string.IsNullOrEmpty(request.Query["model"]))
            {
                return Reply.Error(400, "Missing required query parameter: 'model'.", "model", "missing_required_parameter");
            }

            var data = new JsonArray();
            foreach (string voice in voices)
            {
                data.Add(new JsonObject { ["id"] = voice, ["name"] = DisplayName(voice) });
            }

            return Reply.Json(200, new JsonObject { ["object"] = "list", ["data"] = data });
        }

        bool legacy = Options.VoicesShape == VoicesEndpointShape.LegacyStrings
            || string.Equals(request.Query["legacy"], "true", StringComparison.OrdinalIgnoreCase);
        var list = new JsonArray();
        foreach (string voice in voices)
        {
            list.Add(legacy ? JsonValue.Create(voice) : new JsonObject { ["id"] = voice, ["name"] = DisplayName(voice) });
        }

        return Reply.Json(200, new JsonObject { ["voices"] = list });
    }

    /// <summary>Kokoro's names: "af_bella" is "Bella"; OpenAI's "alloy" is "Alloy".</summary>
    private static string DisplayName(string voice)
    {
        string name = voice.Contains('_', StringComparison.Ordinal) ? voice[(voice.IndexOf('_', StringComparison.Ordinal) + 1)..] : voice;
        return name.Length == 0 ? voice : char.ToUpperInvariant(name[0]) + name[1..];
    }

    private Reply ModelList()
    {
        IReadOnlyDictionary<string, DateTimeOffset> shutdownDates = Options.ModelShutdownDates;
        var data = new JsonArray();
        foreach (string model in Models.Concat(shutdownDates.Keys.Where(k => !Models.Contains(k, StringComparer.Ordinal))))
        {
            JsonNode? shutdown = shutdownDates.TryGetValue(model, out DateTimeOffset date) ? JsonValue.Create(date.ToUnixTimeSeconds()) : null;
            data.Add(new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = 1699053241, ["owned_by"] = "system", ["shutdown_date"] = shutdown });
        }

        return Reply.Json(200, new JsonObject { ["object"] = "list", ["data"] = data });
    }
}
