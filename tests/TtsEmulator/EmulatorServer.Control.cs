using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace TtsEmulator;

/// <summary>
/// The control API under /_emulator/, for callers that cannot reach the C# object (Pester, the demo). No auth.
/// </summary>
public sealed partial class EmulatorServer
{
    internal static VoicesEndpointShape ParseVoicesShape(string value) => value.Trim().ToLowerInvariant() switch
    {
        "none" => VoicesEndpointShape.None,
        "objects" => VoicesEndpointShape.Objects,
        "legacy" or "legacystrings" or "strings" => VoicesEndpointShape.LegacyStrings,
        "data" or "mlx" => VoicesEndpointShape.Data,
        _ => throw new FormatException($"Unknown voices shape '{value}': use none, objects, legacy or data."),
    };

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        if (body is null)
        {
            return;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(body.ToJsonString(Json));
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task ControlError(HttpContext context, int status, string message)
        => WriteJsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["message"] = message } });

    private async Task HandleControlAsync(HttpContext context, string path)
    {
        string method = context.Request.Method;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return;
        }

        try
        {
            if (await HandleHoldControlAsync(context, path.TrimEnd('/').ToLowerInvariant(), body).ConfigureAwait(false))
            {
                return;
            }

            switch (path.TrimEnd('/').ToLowerInvariant())
            {
                case "/_emulator/faults" when HttpMethods.IsPost(method):
                    FaultRule rule = JsonSerializer.Deserialize<FaultRule>(body, Json) ?? throw new JsonException("A fault rule is required.");
                    AddFault(rule);
                    await WriteJsonAsync(context, 201, JsonSerializer.SerializeToNode(FaultSnapshot(), Json)).ConfigureAwait(false);
                    return;
                case "/_emulator/faults" when HttpMethods.IsGet(method):
                    await WriteJsonAsync(context, 200, JsonSerializer.SerializeToNode(FaultSnapshot(), Json)).ConfigureAwait(false);
                    return;
                case "/_emulator/faults" when HttpMethods.IsDelete(method):
                    ClearFaults();
                    await WriteJsonAsync(context, 204, null).ConfigureAwait(false);
                    return;
                case "/_emulator/requests" when HttpMethods.IsGet(method):
                    await WriteJsonAsync(context, 200, JsonSerializer.SerializeToNode(Requests, Json)).ConfigureAwait(false);
                    return;
                case "/_emulator/requests" when HttpMethods.IsDelete(method):
                    ClearRequests();
                    await WriteJsonAsync(context, 204, null).ConfigureAwait(false);
                    return;
                case "/_emulator/options" when HttpMethods.IsGet(method):
                    await WriteJsonAsync(context, 200, DescribeOptions()).ConfigureAwait(false);
                    return;
                case "/_emulator/options" when HttpMethods.IsPatch(method) || HttpMethods.IsPost(method):
                    ApplyOptions(body);
                    await WriteJsonAsync(context, 200, DescribeOptions()).ConfigureAwait(false);
                    return;
                default:
                    await ControlError(context, 404, $"No control route {method} {path}. Routes: POST|GET|DELETE /_emulator/faults, GET|DELETE /_emulator/requests, GET|PATCH|POST /_emulator/options.").ConfigureAwait(false);
                    return;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            await ControlError(context, 400, e.Message).ConfigureAwait(false);
        }
    }

    private JsonObject DescribeOptions() => new()
    {
        ["port"] = BaseUrl.Port,
        ["requiredApiKeySet"] = Options.RequiredApiKey is not null, // never echo the key itself
        ["allowAnonymous"] = Options.AllowAnonymous,
        ["proxyCredentialSet"] = Options.ProxyCredential is not null,
        ["latencyMs"] = Options.Latency.TotalMilliseconds,
        ["secondsPerCharacter"] = Options.SecondsPerCharacter,
        ["pcmSampleRate"] = Options.PcmSampleRate,
        ["voicesShape"] = Options.VoicesShape switch
        {
            VoicesEndpointShape.Objects => "objects",
            VoicesEndpointShape.LegacyStrings => "legacy",
            VoicesEndpointShape.Data => "data",
            _ => "none",
        },
        ["modelsEndpoint"] = Options.ModelsEndpoint,
        ["accountRequestsPerMinute"] = Options.AccountRequestsPerMinute,
        ["accountBurst"] = Options.AccountBurst,
        ["modelShutdownDates"] = new JsonObject(Options.ModelShutdownDates.Select(date => KeyValuePair.Create(date.Key, (JsonNode?)JsonValue.Create(date.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))))),
        ["voices"] = new JsonArray(Options.Voices.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
    };

    /// <summary>Applies a JSON subset of the options; properties absent stay as they are.</summary>
    private void ApplyOptions(byte[] body)
    {
        using JsonDocument document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("Expected a JSON object of options.");
        }

        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            JsonElement value = property.Value;
            switch (property.Name.ToLowerInvariant())
            {
                case "latencyms":
                    Options.Latency = TimeSpan.FromMilliseconds(value.GetDouble());
                    break;
                case "requiredapikey":
                    Options.RequiredApiKey = value.ValueKind == JsonValueKind.Null ? null : value.GetString();
                    break;
                case "proxycredential":
                    Options.ProxyCredential = value.ValueKind == JsonValueKind.Null ? null : value.GetString();
                    break;
                case "allowanonymous":
                    Options.AllowAnonymous = value.GetBoolean();
                    break;
                case "secondspercharacter":
                    Options.SecondsPerCharacter = value.GetDouble();
                    break;
                case "pcmsamplerate":
                    Options.PcmSampleRate = value.GetInt32();
                    break;
                case "voicesshape":
                    Options.VoicesShape = ParseVoicesShape(value.GetString() ?? "none");
                    break;
                case "modelsendpoint":
                    Options.ModelsEndpoint = value.GetBoolean();
                    break;
                case "accountrequestsperminute":
                    Options.AccountRequestsPerMinute = value.GetInt32();
                    break;
                case "accountburst":
                    Options.AccountBurst = value.GetInt32();
                    break;
                case "modelshutdowndates":
                    Options.ModelShutdownDates = value.EnumerateObject().ToDictionary(date => date.Name, date => DateTimeOffset.Parse(date.Value.GetString() ?? string.Empty, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal));
                    break;
                case "voices":
                    Options.Voices = value.EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToArray();
                    break;
                default:
                    throw new JsonException($"Unknown option '{property.Name}'.");
            }
        }
    }
}
