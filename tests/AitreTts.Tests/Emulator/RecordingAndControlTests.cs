using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>What the emulator remembers, how it holds up under load, and the control API Pester uses.</summary>
public sealed class RecordingAndControlTests
{
    [Fact]
    public async Task Requests_AreRecordedInOrderWithParsedFieldsAndStatus()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        var first = EmulatorClient.Body("First one.", voice: "nova", format: "flac", speed: 1.25, model: "gpt-4o-mini-tts");
        first["instructions"] = "Speak warmly.";
        string firstJson = JsonSerializer.Serialize(first);

        using HttpResponseMessage ok = await EmulatorClient.PostSpeechAsync(client, server, firstJson);
        using HttpResponseMessage bad = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Second.", voice: "nobody"));
        using HttpResponseMessage anonymous = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Third."), key: null);
        IReadOnlyList<RecordedRequest> requests = server.Requests;

        Assert.Equal(new[] { 200, 400, 401 }, requests.Select(r => r.StatusCode));
        RecordedRequest r0 = requests[0];
        Assert.Equal("POST", r0.Method);
        Assert.Equal("/v1/audio/speech", r0.Path);
        Assert.Equal("gpt-4o-mini-tts", r0.Model);
        Assert.Equal("First one.", r0.Input);
        Assert.Equal("nova", r0.Voice);
        Assert.Equal("flac", r0.ResponseFormat);
        Assert.Equal(1.25, r0.Speed);
        Assert.Equal("Speak warmly.", r0.Instructions);
        Assert.Equal(firstJson, Encoding.UTF8.GetString(r0.Body));
        Assert.Equal("Bearer " + EmulatorClient.Key, r0.Headers["authorization"]);
        Assert.StartsWith("application/json", r0.Headers["CONTENT-TYPE"], StringComparison.Ordinal);
        Assert.Equal(EmulatorClient.HeaderOf(ok, "x-request-id"), r0.RequestId);
        Assert.Equal("nobody", requests[1].Voice);
        Assert.False(requests[2].Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Requests_IsASnapshot_AndClearRequestsForgets()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using (await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(format: "pcm")))
        {
        }

        IReadOnlyList<RecordedRequest> snapshot = server.Requests;
        using (await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(format: "pcm")))
        {
        }

        int beforeClear = server.Requests.Count;
        server.ClearRequests();

        Assert.Single(snapshot);
        Assert.Equal(2, beforeClear);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ManyConcurrentRequests_AllSucceedAndAreAllRecorded()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { SecondsPerCharacter = 0.01 });
        server.AddFault(new FaultRule { InputContains = "#13", StatusCode = 503, Times = 0 });
        using var client = new HttpClient();

        async Task<(int Status, string Id, int Length)> One(int worker, int index)
        {
            var body = EmulatorClient.Body($"worker {worker} request #{index}", format: EmulatorClient.Formats[(worker + index) % 6]);
            using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, body);
            byte[] bytes = await response.Content.ReadAsByteArrayAsync();
            return ((int)response.StatusCode, EmulatorClient.HeaderOf(response, "x-request-id")!, bytes.Length);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            var mine = new List<(int Status, string Id, int Length)>();
            for (int i = 0; i < 20; i++)
            {
                mine.Add(await One(worker, i));
            }

            return mine;
        }));
        var all = results.SelectMany(r => r).ToList();

        Assert.Equal(160, all.Count);
        Assert.Equal(8, all.Count(r => r.Status == 503));
        Assert.All(all.Where(r => r.Status == 200), r => Assert.True(r.Length > 0));
        Assert.Equal(160, all.Select(r => r.Id).Distinct().Count());
        Assert.Equal(160, server.Requests.Count);
        Assert.Equal(all.Select(r => r.Id).OrderBy(x => x, StringComparer.Ordinal), server.Requests.Select(r => r.RequestId).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ControlApi_AddsAndClearsFaults_ListsAndClearsRequests_PatchesOptions()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

        using HttpResponseMessage added = await client.PostAsync("/_emulator/faults", Json("{\"statusCode\":503,\"times\":1,\"headers\":{\"retry-after-ms\":\"250\"},\"errorShape\":\"flat\",\"errorMessage\":\"busy\"}"));
        using HttpResponseMessage faulted = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Control me."));
        string faultedBody = await faulted.Content.ReadAsStringAsync();
        using HttpResponseMessage listed = await client.GetAsync("/_emulator/requests");
        using JsonDocument requests = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
        using HttpResponseMessage cleared = await client.DeleteAsync("/_emulator/requests");
        using HttpResponseMessage patched = await client.PatchAsync("/_emulator/options", Json("{\"requiredApiKey\":\"only-this\",\"latencyMs\":0,\"voicesShape\":\"legacy\",\"secondsPerCharacter\":0.02}"));
        string patchedBody = await patched.Content.ReadAsStringAsync();
        using HttpResponseMessage refused = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());
        using HttpResponseMessage badRule = await client.PostAsync("/_emulator/faults", Json("{\"errorShape\":\"xml\"}"));
        using HttpResponseMessage forever = await client.PostAsync("/_emulator/faults", Json("{\"statusCode\":500,\"times\":0}"));
        using HttpResponseMessage noFaults = await client.DeleteAsync("/_emulator/faults");

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.StatusCode);
        Assert.Equal("250", EmulatorClient.HeaderOf(faulted, "retry-after-ms"));
        Assert.Contains("\"message\":\"busy\"", faultedBody, StringComparison.Ordinal);
        JsonElement recorded = requests.RootElement.EnumerateArray().Single();
        Assert.Equal(503, recorded.GetProperty("statusCode").GetInt32());
        Assert.Equal("Control me.", recorded.GetProperty("input").GetString());
        Assert.Equal("Control me.", JsonDocument.Parse(Convert.FromBase64String(recorded.GetProperty("body").GetString()!)).RootElement.GetProperty("input").GetString());
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/_emulator", StringComparison.Ordinal)); // control calls are not recorded
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.DoesNotContain("only-this", patchedBody, StringComparison.Ordinal);
        Assert.Equal("only-this", server.Options.RequiredApiKey);
        Assert.Equal(VoicesEndpointShape.LegacyStrings, server.Options.VoicesShape);
        Assert.Equal(0.02, server.Options.SecondsPerCharacter);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRule.StatusCode);
        Assert.Equal(HttpStatusCode.Created, forever.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, noFaults.StatusCode);
        server.Options.RequiredApiKey = null;
        using HttpResponseMessage afterClear = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());
        Assert.Equal(HttpStatusCode.OK, afterClear.StatusCode);
    }

    [Fact]
    public async Task ControlApi_UnknownRouteOrOption_Is4xx()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseUrl };

        using HttpResponseMessage unknownRoute = await client.GetAsync("/_emulator/nothing");
        using HttpResponseMessage unknownOption = await client.PostAsync("/_emulator/options", new StringContent("{\"colour\":\"blue\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, unknownRoute.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownOption.StatusCode);
    }
}
