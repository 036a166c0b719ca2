using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Text;
using System.Text.Json;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Configuration;

/// <summary>-ExtraBody and -ExtraQuery: what they send, what they may not set, and how the cache key counts them.</summary>
public sealed class ExtraFieldsTests
{
    private static readonly Uri Speech = new("https://api.openai.com/v1/audio/speech");

    private static ExtraBodyFields Kokoro(bool normalize = false) => ExtraBodyFields.From(new Hashtable
    {
        ["lang_code"] = "a",
        ["normalization_options"] = new Hashtable { ["normalize"] = normalize, ["unit_normalization"] = true },
        ["volume_multiplier"] = 1.5,
        ["params"] = new object?[] { 1, "two", null },
    });

    [Fact]
    public void ExtraBody_IsWrittenAfterTheModulesOwnFields_NestedValuesIncluded()
    {
        var request = new SpeechRequest("kokoro", "Doors close.", "af_bella", AudioFormat.Mp3) { ExtraBody = Kokoro() };

        using JsonDocument body = JsonDocument.Parse(request.ToJsonUtf8());
        JsonElement root = body.RootElement;

        Assert.Equal("Doors close.", root.GetProperty("input").GetString());
        Assert.Equal("af_bella", root.GetProperty("voice").GetString());
        Assert.Equal("a", root.GetProperty("lang_code").GetString());
        Assert.False(root.GetProperty("normalization_options").GetProperty("normalize").GetBoolean());
        Assert.True(root.GetProperty("normalization_options").GetProperty("unit_normalization").GetBoolean());
        Assert.Equal(1.5, root.GetProperty("volume_multiplier").GetDouble());
        Assert.Equal("[1,\"two\",null]", root.GetProperty("params").GetRawText());
    }

    [Theory]
    [InlineData("model")]
    [InlineData("input")]
    [InlineData("voice")]
    [InlineData("response_format")]
    [InlineData("speed")]
    [InlineData("instructions")]
    [InlineData("stream_format")]
    [InlineData("Voice")]
    public void ExtraBody_RefusesAFieldTheModuleOwns(string name)
    {
        TtsException error = Assert.Throws<TtsException>(() => ExtraBodyFields.From(new Hashtable { ["lang_code"] = "a", [name] = "x" }));

        Assert.Equal(TtsErrorIds.InvalidExtraField, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("'" + name + "'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraBody_RefusesWhatJsonCannotHold()
    {
        Assert.Equal(TtsErrorIds.InvalidExtraField, Assert.Throws<TtsException>(() => ExtraBodyFields.From(new Hashtable { ["when"] = new object() })).ErrorId);
        Assert.Equal(TtsErrorIds.InvalidExtraField, Assert.Throws<TtsException>(() => ExtraBodyFields.From(new Hashtable { ["gain"] = double.NaN })).ErrorId);
        var itself = new Hashtable();
        itself["itself"] = itself;
        Assert.Equal(TtsErrorIds.InvalidExtraField, Assert.Throws<TtsException>(() => ExtraBodyFields.From(itself)).ErrorId);
    }

    [Fact]
    public void ExtraBody_StoredAndReadBack_IsTheSame_AndAStoredOwnedFieldIsRefused()
    {
        ExtraBodyFields stored = ExtraBodyFields.Read(Kokoro().Write());

        Assert.Equal(Kokoro().Canonical, stored.Canonical);
        Assert.Throws<FormatException>(() => ExtraBodyFields.Read(System.Text.Json.Nodes.JsonNode.Parse("{\"voice\":\"x\"}")));
    }

    [Fact]
    public void CacheKey_CountsTheExtras_InAnyOrder_AndLeavesKeysWithoutThemAsTheyWere()
    {
        var request = new SpeechRequest("tts-1", "Doors close.", "nova", AudioFormat.Mp3);
        TtsEndpoint plain = TtsEndpoint.Create("https://api.openai.com", SecretText.ToSecureString("tk-extra-test-0123456789"));
        TtsEndpoint mlx = TtsEndpoint.Create("https://api.openai.com", SecretText.ToSecureString("tk-extra-test-0123456789"), extraQuery: ExtraQueryParameters.From(new Hashtable { ["model"] = "kokoro" }));
        var reordered = new OrderedDictionary { ["volume_multiplier"] = 1.5, ["params"] = new object?[] { 1, "two", null }, ["normalization_options"] = new Hashtable { ["unit_normalization"] = true, ["normalize"] = false }, ["lang_code"] = "a" };

        ChunkCacheKey without = ChunkCacheKey.For(plain, request);
        ChunkCacheKey with = ChunkCacheKey.For(plain, WithExtra(request, Kokoro()));

        Assert.Equal(ChunkCacheKey.Create(Speech, null, "tts-1", "nova", AudioFormat.Mp3, 1.0, null, "Doors close."), without);
        Assert.NotEqual(without, with);
        Assert.NotEqual(with, ChunkCacheKey.For(plain, WithExtra(request, Kokoro(normalize: true))));
        Assert.Equal(with, ChunkCacheKey.For(plain, WithExtra(request, ExtraBodyFields.From(reordered))));
        Assert.NotEqual(without, ChunkCacheKey.For(mlx, request));
        Assert.NotEqual(ChunkCacheKey.For(mlx, request), ChunkCacheKey.For(TtsEndpoint.Create("https://api.openai.com", SecretText.ToSecureString("tk-extra-test-0123456789"), extraQuery: ExtraQueryParameters.From(new Hashtable { ["model"] = "other" })), request));
    }

    [Fact]
    public void ExtraQuery_GoesAfterTheRoutesOwnQuery_OnEveryUrl()
    {
        var query = ExtraQueryParameters.From(new Hashtable { ["model"] = "mlx-community/Kokoro-82M-bf16" });

        TtsEndpoint azure = TtsEndpoint.Create("https://my-resource.openai.azure.com", SecretText.ToSecureString("azure-test-key-0123456789"), provider: ProviderKind.AzureOpenAI, deployment: "tts-east", extraQuery: query);
        TtsEndpoint local = TtsEndpoint.Create("http://127.0.0.1:8000", null, provider: ProviderKind.Local, extraQuery: query);

        Assert.Equal("?api-version=2024-10-21&model=mlx-community%2FKokoro-82M-bf16", azure.SpeechUri.Query);
        Assert.Equal("?model=mlx-community%2FKokoro-82M-bf16", local.SpeechUri.Query);
        Assert.Equal("?model=mlx-community%2FKokoro-82M-bf16", local.VoicesUri!.Query);
    }

    [Theory]
    [InlineData("api-version")]
    [InlineData("key")]
    [InlineData("access_token")]
    public void ExtraQuery_RefusesAnOwnedOrCredentialName(string name)
    {
        TtsException error = Assert.Throws<TtsException>(() => ExtraQueryParameters.From(new Hashtable { [name] = "x" }));

        Assert.Equal(TtsErrorIds.InvalidExtraField, error.ErrorId);
        Assert.DoesNotContain("=x", error.Message, StringComparison.Ordinal);
    }

    private static SpeechRequest WithExtra(SpeechRequest request, ExtraBodyFields extra) =>
        new(request.Model, request.Input, request.Voice, request.Format, request.Speed, request.Instructions) { ExtraBody = extra };
}
