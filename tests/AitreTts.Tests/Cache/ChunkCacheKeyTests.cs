using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Core.Configuration;
using AitreTts.Core.Providers;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Cache;

// The key decides which audio a request may be answered with: two requests a server could answer differently must
// never share one, and the same request must find its entry again in every culture and on every runtime.
public sealed class ChunkCacheKeyTests
{
    private static readonly Uri Speech = new("https://api.openai.com/v1/audio/speech");

    private static ChunkCacheKey Key(
        Uri? speechUri = null,
        string? deployment = null,
        string model = "tts-1",
        string voice = "nova",
        AudioFormat format = AudioFormat.Mp3,
        double speed = 1.0,
        string? instructions = null,
        string text = "Doors close in five minutes.") =>
        ChunkCacheKey.Create(speechUri ?? Speech, deployment, model, voice, format, speed, instructions, text);

    public static IEnumerable<object[]> OneFieldChanged() => new[]
    {
        new object[] { "scheme", Key(speechUri: new Uri("http://api.openai.com:443/v1/audio/speech")) },
        new object[] { "host", Key(speechUri: new Uri("https://gateway.example.com/v1/audio/speech")) },
        new object[] { "port", Key(speechUri: new Uri("https://api.openai.com:8443/v1/audio/speech")) },
        new object[] { "route", Key(speechUri: new Uri("https://api.openai.com/openai/v1/audio/speech")) },
        new object[] { "route case", Key(speechUri: new Uri("https://api.openai.com/V1/audio/speech")) },
        new object[] { "deployment", Key(deployment: "tts-east") },
        new object[] { "deployment empty rather than none", Key(deployment: string.Empty) },
        new object[] { "model", Key(model: "tts-1-hd") },
        new object[] { "voice", Key(voice: "onyx") },
        new object[] { "format", Key(format: AudioFormat.Opus) },
        new object[] { "speed", Key(speed: 1.25) },
        new object[] { "speed in the fourth place", Key(speed: 1.0001) },
        new object[] { "instructions", Key(instructions: "Speak calmly.") },
        new object[] { "instructions empty rather than none", Key(instructions: string.Empty) },
        new object[] { "text", Key(text: "Doors close in five minutes!") },
        new object[] { "text trailing space", Key(text: "Doors close in five minutes. ") },
        new object[] { "text case", Key(text: "doors close in five minutes.") },
    };

    [Theory]
    [MemberData(nameof(OneFieldChanged))]
    public void Create_ChangesTheKeyWhenAnyOneFieldChanges(string field, object changedKey)
    {
        // object: xunit's theories are public, the key is internal.
        var changed = (ChunkCacheKey)changedKey;
        Assert.NotEqual(Key(), changed);
        Assert.False(string.Equals(Key().Hex, changed.Hex, StringComparison.Ordinal), field);
    }

    public static IEnumerable<object[]> SameRequest() => new[]
    {
        new object[] { "host case", Key(speechUri: new Uri("HTTPS://API.OpenAI.com/v1/audio/speech")) },
        new object[] { "default port written out", Key(speechUri: new Uri("https://api.openai.com:443/v1/audio/speech")) },
        new object[] { "query (Azure's api-version)", Key(speechUri: new Uri("https://api.openai.com/v1/audio/speech?api-version=2025-03-01-preview")) },
        new object[] { "speed that rounds to the same number sent", Key(speed: 1.00001) },
    };

    [Theory]
    [MemberData(nameof(SameRequest))]
    public void Create_GivesTheSameKeyForTheSameRequest(string spelling, object sameKey)
    {
        var same = (ChunkCacheKey)sameKey;
        Assert.True(Key().Equals(same), spelling);
        Assert.Equal(Key().GetHashCode(), same.GetHashCode());
    }

    [Fact]
    public void Create_KeepsFieldBoundaries()
    {
        Assert.NotEqual(Key(model: "ab", voice: "c"), Key(model: "a", voice: "bc"));
        Assert.NotEqual(Key(voice: "nova", instructions: null, text: "x"), Key(voice: "nova", instructions: "x", text: string.Empty));
    }

    [Fact]
    public void Create_HashesUnpairedSurrogatesAsTheyAre()
    {
        // UTF-8 would turn both into U+FFFD and make them one key.
        Assert.NotEqual(Key(text: "a\uD800b"), Key(text: "a\uDBFFb"));
    }

    [Fact]
    public void Create_MatchesAnIndependentlyComputedValue()
    {
        // Computed outside .NET from the documented encoding (each field as its Int32 LE length in UTF-16 code units,
        // -1 for none, then its UTF-16 LE code units), so a change of scheme, which orphans every user's entries, is
        // a deliberate one:
        //   fields = ["AitreTts.ChunkCacheKey/1", "https://api.openai.com:443", "/v1/audio/speech", None, "tts-1",
        //             "nova", "mp3", "1.25", None, text]; hashlib.sha256(b"".join(f(x) for x in fields)).hexdigest()
        ChunkCacheKey key = Key(speed: 1.25, text: "Gr\u00fc\u00dfe, \u4e16\u754c \u2014 \U0001F642");
        Assert.Equal("f04703a9d8ab1f0314f1145c377e99174a5642b89cd449dbc23463f947727b92", key.Hex);
    }

    [Fact]
    public void Create_IsTheSameInEveryCulture()
    {
        string invariant = Key(speed: 1.25).Hex;
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            foreach (string name in new[] { "de-DE", "fr-FR", "ar-SA", "tr-TR" })
            {
                CultureInfo.CurrentCulture = new CultureInfo(name);
                Assert.Equal(invariant, Key(speed: 1.25).Hex);
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void For_TakesTheFieldsOfTheEndpointAndTheRequest()
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://my-resource.openai.azure.com", SecretText.ToSecureString("azure-test-key-0123456789"), provider: ProviderKind.AzureOpenAI, deployment: "tts-east");
        var request = new SpeechRequest("tts-1-hd", "Hello there.", "alloy", AudioFormat.Wav, 0.75, "Whisper.") { IncludeModel = false };

        ChunkCacheKey key = ChunkCacheKey.For(endpoint, request);

        Assert.Equal(ChunkCacheKey.Create(endpoint.SpeechUri, "tts-east", "tts-1-hd", "alloy", AudioFormat.Wav, 0.75, "Whisper.", "Hello there."), key);
        Assert.NotEqual(ChunkCacheKey.For(TtsEndpoint.Create("https://my-resource.openai.azure.com", SecretText.ToSecureString("azure-test-key-0123456789"), provider: ProviderKind.AzureOpenAI, deployment: "tts-west"), request), key);
    }
}
