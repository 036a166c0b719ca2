using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>Holds end on events, not on time; the safety timeout fails loudly and says what never happened.</summary>
public sealed class HoldTests
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HoldUntilArrivals_AnswersOnlyAfterThatManyMoreRequestsCame()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { InputContains = "first", HoldUntilArrivals = 2 });
        using var client = new HttpClient();

        Task<HttpResponseMessage> first = EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("The first one."));
        await server.WaitForHeldAsync(1, SafetyNet);
        using HttpResponseMessage second = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("The second one."));
        Assert.False(first.IsCompleted, "one more request of the two it waits for must not release it");
        Assert.Equal(1, server.HeldCount);
        using HttpResponseMessage third = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("The third one."));
        using HttpResponseMessage released = await first.WaitAsync(SafetyNet);

        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(2, server.Requests.Single(r => r.Input == "The third one.").InFlight); // the first was still held
        Assert.Empty(server.HoldTimeouts);
    }

    [Fact]
    public async Task HoldUntilAnswered_WaitsForOtherAnswersToBeSentWhole()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { InputContains = "last", HoldUntilAnswered = 1 });
        using var client = new HttpClient();

        Task<HttpResponseMessage> last = EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Answered last."));
        await server.WaitForHeldAsync(1, SafetyNet);
        Assert.False(last.IsCompleted);
        using HttpResponseMessage other = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Answered first."));
        using HttpResponseMessage released = await last.WaitAsync(SafetyNet);

        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(2, server.Requests.Single(r => r.Input == "Answered first.").InFlight);
        Assert.Empty(server.HoldTimeouts);
    }

    [Fact]
    public async Task HoldUntilHeld_IsABarrier_EachSeesTheOthersInFlight()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { HoldUntilHeld = 3, Times = 3 });
        using var client = new HttpClient();

        HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body($"Request {i}.")))).WaitAsync(SafetyNet);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(3, server.Requests.Max(r => r.InFlight));
        Assert.Empty(server.HoldTimeouts);
    }

    [Fact]
    public async Task HoldUntilReleased_GoesWhenTheTestSaysSo_ThroughTheControlApiToo()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { HoldUntilReleased = true, Times = 0 });
        using var client = new HttpClient();

        Task<HttpResponseMessage> one = EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("One."));
        Task<HttpResponseMessage> two = EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Two."));
        using HttpResponseMessage waited = await client.GetAsync(new Uri(server.BaseUrl, "/_emulator/holds?held=2&timeoutSeconds=60"));
        using JsonDocument state = JsonDocument.Parse(await waited.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
        Assert.Equal(2, state.RootElement.GetProperty("held").GetInt32());

        using HttpResponseMessage release = await client.PostAsync(new Uri(server.BaseUrl, "/_emulator/holds/release"), new StringContent("{\"count\":1}", Encoding.UTF8, "application/json"));
        using JsonDocument released = JsonDocument.Parse(await release.Content.ReadAsStringAsync());
        Assert.Equal(1, released.RootElement.GetProperty("released").GetInt32());
        HttpResponseMessage first = await Task.WhenAny(one, two).Unwrap().WaitAsync(SafetyNet);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, server.HeldCount);

        Assert.Equal(1, server.ReleaseHeld());
        HttpResponseMessage[] both = await Task.WhenAll(one, two).WaitAsync(SafetyNet);
        Assert.All(both, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(0, server.HeldCount);
    }

    [Fact]
    public async Task SafetyTimeout_AnswersAClearErrorAndIsRecorded()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { HoldUntilArrivals = 5, HoldTimeoutSeconds = 0.3 });
        using var client = new HttpClient();

        using HttpResponseMessage answer = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Nobody follows me."));
        JsonElement error = await EmulatorClient.ErrorOf(answer);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal("emulator_hold_timeout", error.GetProperty("code").GetString());
        string message = Assert.Single(server.HoldTimeouts);
        Assert.Contains("waiting until 5 more request(s) arrived, and that never happened", message, StringComparison.Ordinal);
        Assert.Contains("'Nobody follows me.'", message, StringComparison.Ordinal);
        Assert.Equal(500, server.Requests.Single().StatusCode);
        InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(server.ThrowIfAHoldTimedOut);
        Assert.Equal(message, thrown.Message);
        TimeoutException never = await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForHeldAsync(1, TimeSpan.FromMilliseconds(100)));
        Assert.Contains("were never held at once", never.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatLeavesEndsItsHold()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { HoldUntilReleased = true });
        using var leaving = new System.Threading.CancellationTokenSource();
        using var client = new HttpClient();

        Task<HttpResponseMessage> abandoned = client.SendAsync(EmulatorClient.Speech(server, EmulatorClient.Body("Gone.")), leaving.Token);
        await server.WaitForHeldAsync(1, SafetyNet);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        while (server.Requests.Count == 0)
        {
            await Task.Delay(20).WaitAsync(SafetyNet);
        }

        Assert.Equal(0, server.HeldCount);
        Assert.Empty(server.HoldTimeouts);
        Assert.Equal(499, server.Requests.Single().StatusCode);
    }
}
