using System;
using System.Collections.Generic;
using System.Threading;

namespace TtsEmulator;

/// <summary>What <c>GET /v1/audio/voices</c> answers.</summary>
public enum VoicesEndpointShape
{
    /// <summary>404, as OpenAI itself (it has no voices endpoint).</summary>
    None,

    /// <summary>Kokoro-FastAPI: <c>{"voices":[{"id":"af_bella","name":"Bella"}]}</c>; strings with <c>?legacy=true</c>.</summary>
    Objects,

    /// <summary>Kokoro-FastAPI's legacy shape: <c>{"voices":["af_bella"]}</c>.</summary>
    LegacyStrings,

    /// <summary>mlx-audio: <c>{"object":"list","data":[{"id","name"}]}</c>, and 400 without <c>?model=</c>.</summary>
    Data,
}

/// <summary>
/// How the emulator behaves. Every property may be changed while the server runs; reads and writes are atomic, and
/// each request reads the values once, when it needs them.
/// </summary>
public sealed class EmulatorOptions
{
    /// <summary>The 13 built-in OpenAI voices.</summary>
    public static readonly string[] OpenAIVoices =
    {
        "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse", "marin", "cedar",
    };

    private volatile string? requiredApiKey;
    private volatile string? proxyCredential;
    private volatile bool allowAnonymous;
    private long latencyTicks;
    private double secondsPerCharacter = 0.06;
    private volatile int pcmSampleRate = 24000;
    private volatile VoicesEndpointShape voicesShape = VoicesEndpointShape.None;
    private volatile bool modelsEndpoint = true;
    private volatile string[] voices = (string[])OpenAIVoices.Clone();
    private volatile int accountRequestsPerMinute;
    private volatile int accountBurst;
    private volatile IReadOnlyDictionary<string, DateTimeOffset> modelShutdownDates = new Dictionary<string, DateTimeOffset>();

    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one. Read once, at start.</summary>
    public int Port { get; set; }

    /// <summary>Serve https with this certificate (a self-signed one, to test -SkipCertificateCheck); null serves http. Read once, at start.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? HttpsCertificate { get; set; }

    /// <summary>The one key accepted; null accepts any non-empty key. A request without credentials is 401 either way, unless <see cref="AllowAnonymous"/>.</summary>
    public string? RequiredApiKey
    {
        get => requiredApiKey;
        set => requiredApiKey = value;
    }

    /// <summary>
    /// Also act as an HTTP proxy that requires these credentials (<c>user:password</c>): a request in absolute form
    /// (<c>POST http://host/path</c>, as clients send to a proxy) without a matching <c>Proxy-Authorization: Basic</c>
    /// is answered 407 with <c>Proxy-Authenticate: Basic</c>; with it, the emulator serves it itself. Null: no proxy.
    /// </summary>
    public string? ProxyCredential
    {
        get => proxyCredential;
        set => proxyCredential = value;
    }

    /// <summary>Accept requests that carry no credentials at all, as local servers do. A wrong key is still refused.</summary>
    public bool AllowAnonymous
    {
        get => allowAnonymous;
        set => allowAnonymous = value;
    }

    /// <summary>Delay before the response headers of every non-control request.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref latencyTicks));
        set => Interlocked.Exchange(ref latencyTicks, value.Ticks);
    }

    /// <summary>Seconds of audio per input character at speed 1.0 (at least 0.5 s per response).</summary>
    public double SecondsPerCharacter
    {
        get => Volatile.Read(ref secondsPerCharacter);
        set => Volatile.Write(ref secondsPerCharacter, value);
    }

    /// <summary>Sample rate of <c>pcm</c> responses: 24000 as OpenAI, 22050 as some Piper voices.</summary>
    public int PcmSampleRate
    {
        get => pcmSampleRate;
        set => pcmSampleRate = value;
    }

    /// <summary>What <c>GET /v1/audio/voices</c> answers.</summary>
    public VoicesEndpointShape VoicesShape
    {
        get => voicesShape;
        set => voicesShape = value;
    }

    /// <summary>Whether <c>GET /v1/models</c> exists (404 otherwise).</summary>
    public bool ModelsEndpoint
    {
        get => modelsEndpoint;
        set => modelsEndpoint = value;
    }

    /// <summary>
    /// An account limit on speech requests, refilled continuously at this many a minute, shared by every client
    /// (<see cref="AccountRateLimit"/>); 0 (the default) sets none. Changing it starts a full bucket.
    /// </summary>
    public int AccountRequestsPerMinute
    {
        get => accountRequestsPerMinute;
        set => accountRequestsPerMinute = value;
    }

    /// <summary>The bucket's size (requests the account may send at once); 0 (the default) is the per-minute figure, as OpenAI's.</summary>
    public int AccountBurst
    {
        get => accountBurst;
        set => accountBurst = value;
    }

    /// <summary>
    /// The <c>shutdown_date</c> <c>GET /v1/models</c> gives each model (Unix seconds); a model not named has null, as
    /// OpenAI answers until a date is announced. Set a new dictionary to change them.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> ModelShutdownDates
    {
        get => modelShutdownDates;
        set => modelShutdownDates = new Dictionary<string, DateTimeOffset>(value ?? throw new ArgumentNullException(nameof(value)), StringComparer.Ordinal);
    }

    /// <summary>The voices accepted; others are refused with 400 as OpenAI does. Set a new array to change them.</summary>
    public string[] Voices
    {
        get => voices;
        set => voices = (string[])(value ?? throw new ArgumentNullException(nameof(value))).Clone();
    }
}
