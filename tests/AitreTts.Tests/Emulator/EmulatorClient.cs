using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>Plain HttpClient calls against a running emulator, as a client of the real API would make them.</summary>
internal static class EmulatorClient
{
    public const string Key = "tk-test-emulator-0123456789";

    public static readonly string[] Formats = { "mp3", "opus", "aac", "flac", "wav", "pcm" };

    public static Dictionary<string, object?> Body(string input = "Hello from the emulator.", string voice = "alloy", string? format = null, double? speed = null, string? model = "tts-1")
    {
        var body = new Dictionary<string, object?> { ["input"] = input, ["voice"] = voice };
        if (model is not null)
        {
            body["model"] = model;
        }

        if (format is not null)
        {
            body["response_format"] = format;
        }

        if (speed is not null)
        {
            body["speed"] = speed;
        }

        return body;
    }

    public static HttpRequestMessage Speech(EmulatorServer server, object body, string? key = Key, string path = "/v1/audio/speech")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, path))
        {
            Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    public static async Task<HttpResponseMessage> PostSpeechAsync(HttpClient client, EmulatorServer server, object body, string? key = Key)
    {
        using HttpRequestMessage request = Speech(server, body, key);
        return await client.SendAsync(request);
    }

    /// <summary>The OpenAI error object of a response: {"error":{...}}.</summary>
    public static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("error").Clone();
    }

    public static string? HeaderOf(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values)
            : response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}

/// <summary>A temporary file deleted at disposal.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string extension, byte[] content)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aitretts-emulator-" + Guid.NewGuid().ToString("N") + "." + extension);
        File.WriteAllBytes(Path, content);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
