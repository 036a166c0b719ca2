using System.Collections.Generic;

namespace TtsEmulator;

/// <summary>
/// A misbehaviour to inject. Rules are tried in the order added; the first that matches a request applies to it.
/// A rule with <see cref="StatusCode"/>, <see cref="Body"/> or <see cref="ErrorShape"/> replaces the response;
/// the others (<see cref="CutAfterBytes"/>, <see cref="StallAfterBytes"/>, <see cref="EndlessBody"/>,
/// <see cref="TrickleBytes"/>, <see cref="DelayHeadersSeconds"/>, <see cref="Headers"/>) change how the normal response, or the replacement, is sent.
/// Serialized with System.Text.Json in camelCase for the control API.
/// </summary>
public sealed partial class FaultRule
{
    /// <summary>How many matching requests this rule applies to; 0 means every one, forever.</summary>
    public int Times { get; set; } = 1;

    /// <summary>Match only requests whose <c>input</c> contains this (ordinal).</summary>
    public string? InputContains { get; set; }

    /// <summary>Match only requests whose path contains this (ordinal, case-insensitive).</summary>
    public string? PathContains { get; set; }

    /// <summary>Answer with this status. With no <see cref="Body"/>, an error body of <see cref="ErrorShape"/> (default "openai").</summary>
    public int? StatusCode { get; set; }

    /// <summary>Answer with exactly this body.</summary>
    public string? Body { get; set; }

    /// <summary>Content-Type of <see cref="Body"/>; guessed from it when absent.</summary>
    public string? ContentType { get; set; }

    /// <summary>Extra response headers, such as Retry-After, retry-after-ms, x-should-retry.</summary>
    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>"openai" | "flat" | "detail-object" | "detail-list" | "text" | "html": the error body's shape.</summary>
    public string? ErrorShape { get; set; }

    /// <summary>The error's message in the generated body.</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>The error's code, such as "insufficient_quota" or "rate_limit_exceeded".</summary>
    public string? ErrorCode { get; set; }

    /// <summary>The error's type, such as "insufficient_quota" or "server_error".</summary>
    public string? ErrorType { get; set; }

    /// <summary>Send the headers with the full Content-Length, then abort the connection after this many body bytes.</summary>
    public int? CutAfterBytes { get; set; }

    /// <summary>Send this many body bytes, then nothing for <see cref="StallSeconds"/>.</summary>
    public int? StallAfterBytes { get; set; }

    /// <summary>How long the stall lasts.</summary>
    public double StallSeconds { get; set; }

    /// <summary>After the stall, abort the connection instead of sending the rest.</summary>
    public bool AbortAfterStall { get; set; }

    /// <summary>
    /// Never end the body: after it, send it again and again (without Content-Length), as a broken server streaming
    /// forever would. Combine with <see cref="TrickleBytes"/> for a body that drips forever.
    /// </summary>
    public bool EndlessBody { get; set; }

    /// <summary>After <see cref="TrickleAfterBytes"/>, send the body in pieces of this many bytes, one every <see cref="TrickleIntervalSeconds"/>.</summary>
    public int? TrickleBytes { get; set; }

    /// <summary>The wait between two trickled pieces.</summary>
    public double TrickleIntervalSeconds { get; set; }

    /// <summary>Bytes sent at full speed before the trickle starts (a valid start of the audio).</summary>
    public int TrickleAfterBytes { get; set; }

    /// <summary>Answer a successful speech request with audio in this format ("wav", "mp3", ...) whatever was asked.</summary>
    public string? AnswerFormat { get; set; }

    /// <summary>Wait this long before sending the headers (stops waiting when the client disconnects).</summary>
    public double? DelayHeadersSeconds { get; set; }

    /// <summary>Answer with exactly these bytes (base64), such as random bytes; status 200 unless <see cref="StatusCode"/>.</summary>
    public string? BodyBase64 { get; set; }

    /// <summary>
    /// Send only the first this many bytes of the body (the normal audio or the replacement), with a Content-Length
    /// that matches them: a body cut short whose length says nothing is missing, such as an mp3 cut mid-frame.
    /// </summary>
    public int? TruncateBodyToBytes { get; set; }

    /// <summary>Send the body gzip-compressed with <c>Content-Encoding: gzip</c>, though the client never asked for it.</summary>
    public bool GzipBody { get; set; }

    internal bool ReplacesResponse => StatusCode is not null || Body is not null || BodyBase64 is not null || ErrorShape is not null;

    internal FaultRule Clone() => (FaultRule)MemberwiseClone();
}
