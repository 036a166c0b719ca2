using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TtsEmulator.Audio;

namespace TtsEmulator;

/// <summary>
/// An OpenAI-compatible text-to-speech server on 127.0.0.1: real HTTP (Kestrel), real decodable audio, fault
/// injection, and a record of every request. Tests start one per test class (or per test) on a free port.
/// </summary>
public sealed partial class EmulatorServer : IAsyncDisposable
{
    /// <summary>Bodies are written in pieces of this size, so clients really stream.</summary>
    internal const int ChunkSize = 16 * 1024;

    /// <summary>Longest input OpenAI accepts, in characters.</summary>
    internal const int MaxInputCharacters = 4096;

    internal static readonly string[] Formats = { "mp3", "opus", "aac", "flac", "wav", "pcm" };

    internal static readonly string[] Models = { "tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15", "whisper-1" };

    internal static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly List<(long Arrival, RecordedRequest Request)> requests = new();
    private readonly List<FaultState> faults = new();
    private readonly CancellationTokenSource shutdown = new();
    private readonly AccountRateLimit accountLimit = new();
    private long arrivals;
    private int disposed;

    private EmulatorServer(WebApplication app, EmulatorOptions options)
    {
        this.app = app;
        Options = options;
    }

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:41234</c>, with no path.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The live options: changes apply to the next requests.</summary>
    public EmulatorOptions Options { get; }

    /// <summary>A copy of the requests received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return requests.Select(r => r.Request).ToArray();
            }
        }
    }

    /// <summary>Starts a server on 127.0.0.1, on <see cref="EmulatorOptions.Port"/> or a free port.</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EmulatorOptions();

        // The empty builder reads no appsettings.json and watches no files: many servers may run in one test process.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MinResponseDataRate = null; // slow-reading clients are a test subject, not an attack
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (options.HttpsCertificate is not null)
                {
                    listen.UseHttps(options.HttpsCertificate);
                }
            });
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        // No Ctrl+C/SIGTERM handling in library mode: the test host owns those signals. Process mode handles its own.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();

        WebApplication app = builder.Build();
        var server = new EmulatorServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(address).Port;
        server.BaseUrl = new Uri((options.HttpsCertificate is null ? "http" : "https") + "://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        return server;
    }

    /// <summary>Forgets the requests recorded so far.</summary>
    public void ClearRequests()
    {
        lock (gate)
        {
            requests.Clear();
        }
    }

    /// <summary>Adds a fault rule after the existing ones.</summary>
    public void AddFault(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Times < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule.Times, "Times must be 0 (forever) or more.");
        }

        if (rule.ErrorShape is not null && !OpenAIErrors.IsKnownShape(rule.ErrorShape))
        {
            throw new ArgumentException($"Unknown error shape '{rule.ErrorShape}'.", nameof(rule));
        }

        lock (gate)
        {
            faults.Add(new FaultState(rule.Clone()));
        }
    }

    /// <summary>Removes every fault rule.</summary>
    public void ClearFaults()
    {
        lock (gate)
        {
            faults.Clear();
        }
    }

    /// <summary>Stops the server, cutting any response still waiting or stalled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        shutdown.Cancel();
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections still open after the timeout are aborted by the disposal below.
            }
        }

        await app.DisposeAsync().ConfigureAwait(false);
        shutdown.Dispose();
    }

    internal IReadOnlyList<FaultRule> FaultSnapshot()
    {
        lock (gate)
        {
            return faults.Select(f => f.Rule.Clone()).ToArray();
        }
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Error messages quote values ('alloy'); keep them readable rather than \u0027-escaped.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }

    private static string NewRequestId() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static Dictionary<string, string> CopyHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in headers)
        {
            copy[header.Key] = string.Join(", ", (IEnumerable<string?>)header.Value);
        }

        return copy;
    }

    // Requests between arrival and their response headers, control requests aside: what RecordedRequest.InFlight
    // shows. The window ends before the body is sent, so it lies inside the time the client holds the request open
    // and never counts more than the client has in flight.
    private int requestsInFlight;

    private async Task HandleAsync(HttpContext context)
    {
        long arrival = Interlocked.Increment(ref arrivals);
        long started = Stopwatch.GetTimestamp();
        string path = context.Request.Path.Value ?? string.Empty;
        if (path.Equals("/_emulator", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/_emulator/", StringComparison.OrdinalIgnoreCase))
        {
            await HandleControlAsync(context, path).ConfigureAwait(false);
            return;
        }

        var waiting = new WaitingRequest(this);
        try
        {
            await HandleServiceAsync(context, arrival, started, path, waiting).ConfigureAwait(false);
        }
        finally
        {
            waiting.Leave();
        }
    }

    private async Task HandleServiceAsync(HttpContext context, long arrival, long started, string path, WaitingRequest waiting)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, shutdown.Token);
        CancellationToken token = cancel.Token;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return; // the client went away while sending
        }

        // A hold counts a request once its body is in: from here to its record nothing waits, so a request that
        // released another is always recorded, even when its client goes away at once.
        (long, long) seen = holds.Arrive();

        string requestId = NewRequestId();
        SpeechFields fields = SpeechFields.ReadLeniently(body);
        string rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? path;
        Reply? proxyRefusal = ProxyRefusal(context.Request, rawTarget);
        AccountAnswer? account = proxyRefusal is null && IsSpeechPath(path) ? accountLimit.Take(Options, fields.Model) : null;
        FaultRule? fault = proxyRefusal is null && account?.Refusal is null ? TakeFault(path, fields.Input) : null;
        Reply reply = proxyRefusal ?? account?.Refusal ?? (fault is { ReplacesResponse: true } ? Reply.FromFault(fault) : Route(context, path, body));
        foreach (KeyValuePair<string, string> header in account?.Headers ?? new Dictionary<string, string>())
        {
            reply.Headers.TryAdd(header.Key, header.Value);
        }

        if (fault?.AnswerFormat is string answerFormat && reply.Status == 200 && fields.Input is not null)
        {
            double seconds = AudioFactory.DurationOf(fields.Input, Options.SecondsPerCharacter, fields.Speed ?? 1.0);
            reply = new Reply(200, AudioFactory.Create(answerFormat, fields.Input, fields.Voice ?? "alloy", seconds, Options.PcmSampleRate), AudioFactory.ContentTypeOf(answerFormat));
        }

        if (fault is not null)
        {
            reply = ReshapeBody(reply, fault);
        }

        if (fault?.Headers is not null)
        {
            foreach (KeyValuePair<string, string> header in fault.Headers)
            {
                reply.Headers[header.Key] = header.Value;
            }
        }

        var record = new RecordedRequest(
            context.Request.Method,
            path,
            context.Request.QueryString.Value ?? string.Empty,
            CopyHeaders(context.Request.Headers),
            body,
            fields.Model,
            fields.Input,
            fields.Voice,
            fields.ResponseFormat,
            fields.Speed,
            fields.Instructions,
            reply.Status,
            requestId)
        { RawTarget = rawTarget, InFlight = waiting.InFlightOnArrival, VoiceId = fields.VoiceId };

        TimeSpan delay = Options.Latency + TimeSpan.FromSeconds(fault?.DelayHeadersSeconds ?? 0);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Record(arrival, record with { StatusCode = 499 });
                return;
            }
        }

        (bool clientGone, Reply? holdTimedOut) = await HoldIfAskedAsync(fault, seen, fields.Input, token).ConfigureAwait(false);
        if (clientGone)
        {
            Record(arrival, record with { StatusCode = 499 });
            return;
        }

        if (holdTimedOut is not null)
        {
            reply = holdTimedOut;
            record = record with { StatusCode = reply.Status };
        }

        waiting.Leave();
        Record(arrival, record with { ResponseBody = reply.Body });
        HttpResponse response = context.Response;
        response.StatusCode = reply.Status;
        response.Headers["x-request-id"] = requestId;
        response.Headers["openai-processing-ms"] = Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        foreach (KeyValuePair<string, string> header in reply.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        if (reply.ContentType is not null)
        {
            response.ContentType = reply.ContentType;
        }

        if (!reply.Chunked && fault?.EndlessBody != true)
        {
            response.ContentLength = reply.Body.Length;
        }

        try
        {
            await WriteBodyAsync(context, reply.Body, fault, token).ConfigureAwait(false);
            holds.Answer();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away mid-body; nothing more to send.
        }
    }

    private static bool IsSpeechPath(string path) => path.EndsWith("/audio/speech", StringComparison.Ordinal);

    /// <summary>As a proxy (<see cref="EmulatorOptions.ProxyCredential"/>): the 407 for a proxied request without the right credentials.</summary>
    private Reply? ProxyRefusal(HttpRequest request, string rawTarget)
    {
        string? credential = Options.ProxyCredential;
        if (credential is null || !rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credential));
        if (string.Equals(request.Headers["Proxy-Authorization"].ToString(), expected, StringComparison.Ordinal))
        {
            return null;
        }

        Reply refusal = Reply.Error(407, "Proxy authentication required.", null, "proxy_authentication_required");
        refusal.Headers["Proxy-Authenticate"] = "Basic realm=\"emulator\"";
        return refusal;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken token)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, token).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task WriteBodyAsync(HttpContext context, byte[] body, FaultRule? fault, CancellationToken token)
    {
        int cutAt = fault?.CutAfterBytes is int cut ? Math.Clamp(cut, 0, Math.Max(0, body.Length - 1)) : -1;
        int stallAt = fault?.StallAfterBytes is int stall ? Math.Clamp(stall, 0, body.Length) : -1;
        int trickle = fault?.TrickleBytes is int piece ? Math.Max(1, piece) : 0;
        bool endless = fault?.EndlessBody == true && body.Length > 0;
        long sent = 0;
        Stream output = context.Response.Body;
        await context.Response.StartAsync(token).ConfigureAwait(false);
        int position = 0;
        while (true)
        {
            if (position == cutAt)
            {
                await output.FlushAsync(token).ConfigureAwait(false);

                // Give the bytes already flushed time to leave the socket before the reset.
                await Task.Delay(50, token).ConfigureAwait(false);
                context.Abort();
                return;
            }

            if (position == stallAt)
            {
                await output.FlushAsync(token).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, fault!.StallSeconds)), token).ConfigureAwait(false);
                stallAt = -1;
                if (fault.AbortAfterStall)
                {
                    context.Abort();
                    return;
                }
            }

            if (position >= body.Length)
            {
                if (!endless)
                {
                    break;
                }

                // The body again from its start, forever, until the client goes away.
                position = 0;
                cutAt = -1;
            }

            int next = Math.Min(body.Length, position + ChunkSize);
            if (cutAt > position)
            {
                next = Math.Min(next, cutAt);
            }

            if (stallAt > position)
            {
                next = Math.Min(next, stallAt);
            }

            bool trickling = trickle > 0 && sent >= fault!.TrickleAfterBytes;
            if (trickle > 0 && !trickling && sent + (next - position) > fault!.TrickleAfterBytes)
            {
                next = position + (int)(fault.TrickleAfterBytes - sent);
            }

            if (trickling)
            {
                next = Math.Min(next, position + trickle);
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, fault!.TrickleIntervalSeconds)), token).ConfigureAwait(false);
            }

            await output.WriteAsync(body.AsMemory(position, next - position), token).ConfigureAwait(false);
            if (trickling || (trickle > 0 && sent + (next - position) >= fault!.TrickleAfterBytes))
            {
                await output.FlushAsync(token).ConfigureAwait(false);
            }

            sent += next - position;
            position = next;
        }

        await context.Response.CompleteAsync().ConfigureAwait(false);
    }

    private FaultRule? TakeFault(string path, string? input)
    {
        lock (gate)
        {
            for (int i = 0; i < faults.Count; i++)
            {
                FaultState state = faults[i];
                FaultRule rule = state.Rule;
                if (rule.PathContains is not null && !path.Contains(rule.PathContains, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (rule.InputContains is not null && (input is null || !input.Contains(rule.InputContains, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (rule.Times > 0 && --state.Remaining == 0)
                {
                    faults.RemoveAt(i);
                }

                return rule;
            }
        }

        return null;
    }

    private void Record(long arrival, RecordedRequest request)
    {
        lock (gate)
        {
            int index = requests.Count;
            while (index > 0 && requests[index - 1].Arrival > arrival)
            {
                index--;
            }

            requests.Insert(index, (arrival, request));
        }
    }

    private sealed class WaitingRequest
    {
        private readonly EmulatorServer server;
        private int left;

        public WaitingRequest(EmulatorServer server)
        {
            this.server = server;
            InFlightOnArrival = Interlocked.Increment(ref server.requestsInFlight);
        }

        public int InFlightOnArrival { get; }

        public void Leave()
        {
            if (Interlocked.Exchange(ref left, 1) == 0)
            {
                Interlocked.Decrement(ref server.requestsInFlight);
            }
        }
    }

    private sealed class FaultState
    {
        public FaultState(FaultRule rule)
        {
            Rule = rule;
            Remaining = rule.Times;
        }

        public FaultRule Rule { get; }

        public int Remaining { get; set; }
    }

    /// <summary>Library mode leaves process signals alone.</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
