using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Synthesis;
using AitreTts.Tests.Support;
using AitreTts.Tests.Integration;
using TtsEmulator;

namespace AitreTts.Tests.Cache;

// The cache between the client and the join, over real HTTP: a bad 200 answer fails its own run, names the answer,
// and never becomes an entry, so the next run asks again and succeeds; an entry that is not audio is a miss.
public sealed class CachingSpeechSourceTests : IDisposable
{
    private const string Text = "Platform four, the evening train to the coast.";
    private readonly string _root = Directory.CreateTempSubdirectory("aitretts-caching-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string> BadAnswers => new() { "json", "truncated-mp3", "random", "gzip" };

    private ChunkCache NewCache() => new(Path.Combine(_root, "cache"), ChunkCache.DefaultCapBytes, new ChunkCacheSecret(Path.Combine(_root, "config")));

    private static async Task<DocumentResult> RunAsync(IntegrationHarness harness, ChunkCache cache, string fileName, TtsLog? log = null)
    {
        SpeechClient client = harness.Client(log: log);
        var synthesizer = new DocumentSynthesizer(new CachingSpeechSource(client, cache, log), log);
        return await harness.SynthesizeAsync(synthesizer, Text, new SpeechOptions(), harness.UserTarget(fileName));
    }

    private static async Task<byte[]> FullAnswerAsync(IntegrationHarness harness)
    {
        using var audio = new MemoryStream();
        await harness.Client().SynthesizeAsync(new SpeechRequest("tts-1", Text, "alloy", AudioFormat.Mp3, 1.0, null), audio, CancellationToken.None);
        return audio.ToArray();
    }

    private static FaultRule Fault(string kind, byte[] fullAnswer) => kind switch
    {
        // A gateway's error in a 200 that claims to be audio.
        "json" => new FaultRule { Body = "{\"audio\":\"nope\"}", ContentType = "audio/mpeg" },
        // The last frame loses its end, and the Content-Length says nothing is missing.
        "truncated-mp3" => new FaultRule { TruncateBodyToBytes = fullAnswer.Length - 7 },
        "random" => new FaultRule { BodyBase64 = Convert.ToBase64String(RandomBytes(3000)), ContentType = "audio/mpeg" },
        // Compressed though the client never sent Accept-Encoding, so nothing decodes it.
        "gzip" => new FaultRule { GzipBody = true },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] RandomBytes(int count)
    {
        var random = new Random(23);
        var bytes = new byte[count];
        random.NextBytes(bytes);
        bytes[0] = 0x49; // not 0xFF: no accidental frame sync at the start
        return bytes;
    }

    // Without the cache the same answer fails the same way: as the server's answer, never later in the join as a
    // temporary file (TtsAudioJoinFailed).
    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task ABadAnswer_WithoutTheCache_IsTheSameErrorWithTheSameMessage(string kind)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        byte[] fullAnswer = await FullAnswerAsync(harness);
        harness.Server.AddFault(Fault(kind, fullAnswer));
        TtsException cached = await Assert.ThrowsAsync<TtsException>(() => RunAsync(harness, NewCache(), "cached.mp3"));
        string cachedId = harness.SpeechRequests().Last().RequestId;
        harness.Server.AddFault(Fault(kind, fullAnswer));

        var direct = new DocumentSynthesizer(harness.Client());
        TtsException error = await Assert.ThrowsAsync<TtsException>(() => harness.SynthesizeAsync(direct, Text, new SpeechOptions(), harness.UserTarget("direct.mp3")));

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
        string directId = harness.SpeechRequests().Last().RequestId;
        Assert.Equal(directId, error.RequestId);
        Assert.Equal(cached.Message.Replace(cachedId, directId), error.Message);
        Assert.DoesNotContain(".partial", error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task ABadAnswer_FailsItsRunNamingTheAnswer_EntersNothing_AndTheNextRunAsksAgain(string kind)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        byte[] fullAnswer = await FullAnswerAsync(harness);
        harness.Server.AddFault(Fault(kind, fullAnswer));
        ChunkCache cache = NewCache();

        TtsException error = await Assert.ThrowsAsync<TtsException>(() => RunAsync(harness, cache, "first.mp3"));

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
        RecordedRequest bad = harness.SpeechRequests().Last();
        Assert.Equal(bad.RequestId, error.RequestId);
        Assert.Contains(bad.RequestId, error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 200", error.Message, StringComparison.Ordinal);
        Assert.Contains("Content-Type: audio/mpeg", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".partial", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(IntegrationHarness.Key, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.GetStatistics().EntryCount);
        harness.AssertEmpty();

        int before = harness.SpeechRequests().Count;
        DocumentResult second = await RunAsync(harness, cache, "second.mp3");

        Assert.Equal(before + 1, harness.SpeechRequests().Count);
        Assert.Equal(0, second.CachedChunks);
        Assert.Equal(harness.SpeechRequests().Last().ResponseBody, File.ReadAllBytes(second.Path));
        DocumentResult third = await RunAsync(harness, cache, "third.mp3");
        Assert.Equal(1, third.CachedChunks);
        Assert.Equal(before + 1, harness.SpeechRequests().Count);
    }

    [Fact]
    public async Task TheError_QuotesAJsonBody_AndShowsBinaryAsHex()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { Body = "{\"audio\":\"nope\"}", ContentType = "audio/mpeg" });
        TtsException json = await Assert.ThrowsAsync<TtsException>(() => RunAsync(harness, NewCache(), "a.mp3"));
        Assert.Contains("\"{\"audio\":\"nope\"}\"", json.Message, StringComparison.Ordinal);

        harness.Server.AddFault(new FaultRule { GzipBody = true });
        TtsException gzip = await Assert.ThrowsAsync<TtsException>(() => RunAsync(harness, NewCache(), "b.mp3"));
        Assert.Contains("Content-Encoding: gzip", gzip.Message, StringComparison.Ordinal);
        Assert.Contains("1f 8b", gzip.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(gzip.Message, c => char.IsControl(c));
    }

    [Fact]
    public async Task AnAuthenticEntryThatIsNotAudio_IsAMiss_RemovedAndFetchedAgain()
    {
        // What an older version let in: stored under this user's secret, so only the audio check can tell.
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        ChunkCache cache = NewCache();
        ChunkCacheKey key = ChunkCacheKey.For(harness.Client().Endpoint, new SpeechRequest("tts-1", Text, "alloy", AudioFormat.Mp3, 1.0, null));
        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(key, System.Text.Encoding.UTF8.GetBytes("{\"audio\":\"nope\"}")));
        var log = new RecordingLog();

        DocumentResult result = await RunAsync(harness, cache, "fresh.mp3", log);

        Assert.Equal(0, result.CachedChunks);
        Assert.Single(harness.SpeechRequests());
        Assert.Equal(harness.SpeechRequests()[0].ResponseBody, File.ReadAllBytes(result.Path));
        Assert.Contains(log.VerboseMessages, message => message.StartsWith("Dropped the cache entry", StringComparison.Ordinal) && message.Contains("MP3", StringComparison.Ordinal));
        Assert.True(cache.TryGet(key, out byte[] stored));
        Assert.Equal(harness.SpeechRequests()[0].ResponseBody, stored);
    }

    [Fact]
    public async Task AnAnswer_IsHandedOverAtOnce_AndStoredWhenItsStoredTaskEnds()
    {
        // The entry is written beside the caller's next step (its fsync): the caller has the audio when the call
        // returns, and the entry when Stored ends, which is what the document waits for before it is done.
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        ChunkCache cache = NewCache();
        var source = new CachingSpeechSource(harness.Client(), cache);
        var request = new SpeechRequest("tts-1", Text, "alloy", AudioFormat.Mp3, 1.0, null);
        using var audio = new MemoryStream();

        SpeechResponse response = await source.SynthesizeAsync(request, audio, CancellationToken.None);
        Assert.Equal(harness.SpeechRequests()[0].ResponseBody, audio.ToArray());
        await response.Stored;

        Assert.True(source.Holds(request));
        Assert.True(cache.TryGet(ChunkCacheKey.For(harness.Client().Endpoint, request), out byte[] stored));
        Assert.Equal(audio.ToArray(), stored);
    }
}
