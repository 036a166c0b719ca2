using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace TtsEmulator;

/// <summary>One request as the emulator received it, with the status it answered.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path, as received (not normalized).</param>
/// <param name="QueryString">Query string including the leading '?', or empty.</param>
/// <param name="Headers">Request headers, case-insensitive keys; repeated headers joined with ", ".</param>
/// <param name="Body">The raw request body.</param>
/// <param name="Model">The body's <c>model</c> when it was a string.</param>
/// <param name="Input">The body's <c>input</c> when it was a string.</param>
/// <param name="Voice">The body's <c>voice</c> when it was a string.</param>
/// <param name="ResponseFormat">The body's <c>response_format</c> when it was a string.</param>
/// <param name="Speed">The body's <c>speed</c> when it was a number.</param>
/// <param name="Instructions">The body's <c>instructions</c> when it was a string.</param>
/// <param name="StatusCode">The status answered; 499 when the client went away before the headers.</param>
/// <param name="RequestId">The <c>x-request-id</c> answered.</param>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string? Model,
    string? Input,
    string? Voice,
    string? ResponseFormat,
    double? Speed,
    string? Instructions,
    int StatusCode,
    string RequestId)
{
    /// <summary>
    /// The body the emulator answered with, before any fault cut or stalled it: what a test compares a client's
    /// file with. Left out of the control API, which would otherwise carry every audio file back as base64.
    /// </summary>
    [JsonIgnore]
    public byte[]? ResponseBody { get; init; }

    /// <summary>The request target as sent: absolute (<c>http://host/path</c>) when it came through a proxy, or to the emulator acting as one.</summary>
    public string? RawTarget { get; init; }

    /// <summary>
    /// How many requests were waiting for their response headers when this one arrived, this one included: a lower
    /// bound on the client's requests in flight, never above it.
    /// </summary>
    public int InFlight { get; init; }

    /// <summary>The id of a custom voice, when the body's <c>voice</c> was an object <c>{"id": ...}</c>.</summary>
    public string? VoiceId { get; init; }
}
