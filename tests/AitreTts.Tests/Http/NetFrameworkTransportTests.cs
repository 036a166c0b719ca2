using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;
using AitreTts.Tests.Support;
using AitreTts.Tests.Integration;
using AitreTts.Tests.Module;
using TtsEmulator;

namespace AitreTts.Tests.Http;

/// <summary>
/// How requests behave where Windows PowerShell 5.1's .NET Framework differs from .NET: proxies for loopback, the
/// connection limit of a host contacted before, stalled bodies that only an abort ends, and time spent queued for a
/// connection. Where only Windows could run the real thing, the built Desktop IL is read instead.
/// </summary>
public sealed class NetFrameworkTransportTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8880/v1/audio/speech", true)]
    [InlineData("http://localhost:8880/v1/audio/speech", true)]
    [InlineData("http://[::1]:8880/v1/audio/speech", true)]
    [InlineData("http://buildhost:8880/v1/audio/speech", false)]
    [InlineData("https://api.openai.com/v1/audio/speech", false)]
    public void OnNetFrameworkALoopbackServerIsReachedDirectlyAndVerboseSaysSo(string destination, bool direct)
    {
        var log = new RecordingLog();
        var netFramework = new ProxySettings { Proxy = new Uri("http://proxy.corp:3128"), Environment = _ => null, RuntimeBypassesLoopback = true };
        var dotnet = new ProxySettings { Proxy = new Uri("http://proxy.corp:3128"), Environment = _ => null, RuntimeBypassesLoopback = false };

        netFramework.ExplainLoopbackBypass(new Uri(destination), log);
        dotnet.ExplainLoopbackBypass(new Uri(destination), log);

        Assert.Equal(direct ? null : new Uri("http://proxy.corp:3128"), netFramework.ProxyFor(new Uri(destination)));
        Assert.Equal(new Uri("http://proxy.corp:3128"), dotnet.ProxyFor(new Uri(destination)));
        string message = Assert.Single(log.VerboseMessages.DefaultIfEmpty("(none)"));
        if (direct)
        {
            Assert.StartsWith("Connecting directly to http://", message, StringComparison.Ordinal);
            Assert.Contains("not through the proxy http://proxy.corp:3128/: .NET Framework", message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("(none)", message);
        }
    }

    [Fact]
    public void OnNetFrameworkAKeyForALoopbackServerIsNotRefusedForAProxyItNeverReaches()
    {
        // The request goes directly, so the key stays on this machine, as it does without -Proxy.
        var settings = new ProxySettings { Proxy = new Uri("http://proxy.corp:3128"), Environment = _ => null, RuntimeBypassesLoopback = true };
        Assert.Null(settings.ProxyFor(new Uri("http://127.0.0.1:8880/")));
    }

    [Fact]
    public void TheDesktopBuildRaisesTheEndpointsOwnServicePointWhenItsClientIsMade()
    {
        // ServicePointManager.DefaultConnectionLimit reaches only ServicePoints made after it changes; a host contacted
        // before the import keeps 2 on .NET Framework 4.6.2-4.7.0 unless its own ServicePoint is raised.
        using var walk = new ResolvePathReferences(DesktopCoreAssembly());
        walk.WalkFrom("AitreTts.Core.Http.HttpClientCache", "Get");

        Assert.Contains("AitreTts.Core.Http.HttpClientCache.RaiseServicePointLimit", walk.MethodsWalked);
        Assert.Contains("System.Net.ServicePointManager::FindServicePoint", walk.MembersUsed);
        Assert.Contains("System.Net.ServicePoint::set_ConnectionLimit", walk.MembersUsed);
    }

    [Fact]
    public void TheDesktopBuildSendsThroughTheHandlerWithTheAttemptsOwnToken()
    {
        // .NET Framework's HttpClientHandler aborts its HttpWebRequest when the token it was given is cancelled, and
        // only then; HttpClient gives it a token of its own and drops it once the headers are in.
        using var walk = new ResolvePathReferences(DesktopCoreAssembly());
        walk.Walk(type => type.StartsWith("AitreTts.Core.Http.SpeechClient", StringComparison.Ordinal));

        walk.WalkFrom("AitreTts.Core.Http.HttpClientCache", "Get");

        Assert.Contains("System.Net.Http.HttpMessageInvoker::SendAsync", walk.MembersUsed);
        Assert.Contains("System.Net.Http.HttpMessageInvoker::.ctor", walk.MembersUsed);
        Assert.DoesNotContain("System.Net.Http.HttpClient::SendAsync", walk.MembersUsed);
        Assert.DoesNotContain("System.Net.Http.HttpClient::.ctor", walk.MembersUsed);
    }

    [Fact]
    public async Task ABodyThatOnlyAnAbortEndsIsAbortedAtTheTimeout()
    {
        // What .NET Framework does with a body that has neither a length nor chunking: closing the response does not
        // end a pending read (ConnectStream.CloseInternal returns early); aborting the request does.
        var handler = new AbortOnlyHandler();
        TtsEndpoint endpoint = TtsEndpoint.Create("http://127.0.0.1:9/", SecretText.ToSecureString("tk-test"));
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(1))
        {
            Connections = new HttpConnections(handler, 4),
        };

        Task<SpeechResponse> attempt = client.SynthesizeAsync(new SpeechRequest("tts-1", "Stalled body.", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None);
        // A safety net only: the assertion is that the attempt ends by itself, as a timeout.
        Assert.Same(attempt, await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(30))));

        TtsException error = await Assert.ThrowsAsync<TtsException>(() => attempt);
        Assert.Equal(TtsErrorIds.Timeout, error.ErrorId);
        Assert.Contains("stalled: the body stopped after", error.Message, StringComparison.Ordinal);
        Assert.True(handler.Aborted);
    }

    [Fact]
    public async Task TimeQueuedForAConnectionIsNotCountedAgainstTimeoutSec()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        // The first request holds the only connection for longer than the second one's -TimeoutSec.
        harness.Server.AddFault(new FaultRule { InputContains = "first", StallAfterBytes = 200, StallSeconds = 3 });
        HttpConnections oneConnection = HttpClientCache.Create(harness.Server.BaseUrl, new ProxySettings { Environment = _ => null }, maximumConnections: 1);
        SpeechClient patient = harness.Client(new RetryPolicy(0), TimeSpan.FromSeconds(30));
        SpeechClient hasty = harness.Client(new RetryPolicy(0), TimeSpan.FromSeconds(1));
        patient.Connections = oneConnection;
        hasty.Connections = oneConnection;

        Task<SpeechResponse> first = patient.SynthesizeAsync(new SpeechRequest("tts-1", "The first request.", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None);
        using (var safety = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (harness.SpeechRequests().Count == 0)
            {
                await Task.Delay(20, safety.Token);
            }
        }

        SpeechResponse second = await hasty.SynthesizeAsync(new SpeechRequest("tts-1", "The second request.", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None);
        SpeechResponse firstResponse = await first;

        Assert.True(second.Bytes > 0);
        Assert.True(firstResponse.Bytes > 200);
        Assert.Equal(2, harness.SpeechRequests().Count);
    }

    private static string[] DesktopCoreAssembly()
    {
        string file = Path.Combine(Path.GetDirectoryName(BuildPaths.ModuleBuildDirectory)!, "net462", "AitreTts.Core.dll");
        Assert.True(File.Exists(file), $"the net462 build is missing: {file}");
        return new[] { file };
    }

    private sealed class AbortOnlyHandler : HttpMessageHandler
    {
        public bool Aborted { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var abort = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            // As .NET Framework's handler does: the registration outlives the headers, and aborts the request.
            cancellationToken.Register(() =>
            {
                Aborted = true;
                abort.TrySetResult(true);
            });
            var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StreamContent(new AbortOnlyStream(abort.Task)) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("audio/mpeg");
            return Task.FromResult(response);
        }
    }

    /// <summary>An ID3 tag, then nothing until the request is aborted: its reads ignore their token and Dispose.</summary>
    private sealed class AbortOnlyStream : Stream
    {
        private readonly Task _aborted;
        private bool _started;

        public AbortOnlyStream(Task aborted) => _aborted = aborted;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (!_started)
            {
                _started = true;
                byte[] tag = { (byte)'I', (byte)'D', (byte)'3', 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
                Array.Copy(tag, 0, buffer, offset, tag.Length);
                return tag.Length;
            }

            await _aborted.ConfigureAwait(false);
            throw new IOException("The request was aborted: The request was canceled.");
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            // Closing does not end a pending read here, as on .NET Framework for a body read to the connection's end.
        }
    }
}
