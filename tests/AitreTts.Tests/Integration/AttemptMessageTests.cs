using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;

namespace AitreTts.Tests.Integration;

/// <summary>A failure below HTTP says how many attempts were made, so a user knows whether trying again by hand can help.</summary>
public sealed class AttemptMessageTests
{
    [Theory]
    [InlineData(0, "1 attempt was made: retries are off (-MaximumRetryCount 0).")]
    [InlineData(2, "Gave up after 3 attempts.")]
    public async Task ConnectionFailed_SaysHowManyAttemptsWereMade(int retries, string said)
    {
        // A port that was just free and is closed again: every connection is refused at once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        TtsEndpoint endpoint = TtsEndpoint.Create($"http://127.0.0.1:{port}", null, provider: ProviderKind.Local);
        var client = new SpeechClient(endpoint, IntegrationHarness.FastRetries(retries), TimeSpan.FromSeconds(10), proxy: new ProxySettings { Environment = _ => null });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => client.SynthesizeAsync(new SpeechRequest("tts-1", "Platform four.", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None));

        Assert.Equal(TtsErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Equal(retries + 1, error.Attempts);
        Assert.EndsWith(said, error.Message, StringComparison.Ordinal);
    }
}
