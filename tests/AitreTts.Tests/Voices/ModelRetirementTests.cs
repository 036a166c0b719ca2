using System;
using System.Collections.Generic;
using System.Text.Json;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;
using AitreTts.Core.Voices;
using Xunit;

namespace AitreTts.Tests.Voices;

public sealed class ModelRetirementTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<TtsModel> List(params (string Id, DateTimeOffset? Shutdown)[] models)
    {
        var list = new List<TtsModel>();
        foreach ((string id, DateTimeOffset? shutdown) in models)
        {
            list.Add(new TtsModel(id, "system", shutdown, VoiceCatalog.IsSpeechModel(id) ? true : null, "test"));
        }

        return list;
    }

    [Fact]
    public void APassedShutdownDate_RefusesWithTheDateAndTheSnapshotsFamily()
    {
        IReadOnlyList<TtsModel> models = List(("gpt-4o-mini-tts", null), ("gpt-4o-mini-tts-2025-12-15", Now.AddDays(-1)));
        RetirementVerdict verdict = ModelRetirement.Judge("gpt-4o-mini-tts-2025-12-15", models, "server-" + Guid.NewGuid(), Now);
        TtsException refusal = Assert.IsType<TtsException>(verdict.Refusal);
        Assert.Equal(TtsErrorIds.ModelRetired, refusal.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidOperation, refusal.Category);
        Assert.Contains("retired on 2026-12-06", refusal.Message);
        Assert.Contains("-Model gpt-4o-mini-tts instead", refusal.Message);
    }

    [Fact]
    public void TheShutdownInstantItself_IsAlreadyRetired()
    {
        RetirementVerdict verdict = ModelRetirement.Judge("tts-1", List(("tts-1", Now), ("tts-1-hd", null)), "server-" + Guid.NewGuid(), Now);
        Assert.Equal("tts-1", verdict.Refusal!.TargetObject);
        Assert.Contains("-Model tts-1-hd", verdict.Refusal.Message);
    }

    [Fact]
    public void ADateAhead_WarnsOncePerServerAndModel()
    {
        string server = "server-" + Guid.NewGuid();
        IReadOnlyList<TtsModel> models = List(("tts-1", Now.AddDays(30)), ("gpt-4o-mini-tts", null));
        RetirementVerdict first = ModelRetirement.Judge("tts-1", models, server, Now);
        Assert.Null(first.Refusal);
        Assert.Contains("'tts-1' will be retired on 2027-01-06", first.Warning);
        Assert.Null(ModelRetirement.Judge("tts-1", models, server, Now).Warning);
        Assert.NotNull(ModelRetirement.Judge("tts-1", models, "other-" + Guid.NewGuid(), Now).Warning);
    }

    [Fact]
    public void NoDateOrAnUnlistedModel_SaysNothing()
    {
        IReadOnlyList<TtsModel> models = List(("tts-1", null));
        Assert.Same(RetirementVerdict.None, ModelRetirement.Judge("tts-1", models, "s", Now));
        Assert.Same(RetirementVerdict.None, ModelRetirement.Judge("kokoro", models, "s", Now));
    }

    [Theory]
    [InlineData("{\"data\":[{\"id\":\"tts-1\",\"owned_by\":\"openai\",\"shutdown_date\":1798761600}]}", "2027-01-01")]
    [InlineData("{\"data\":[{\"id\":\"tts-1\",\"shutdown_date\":\"2027-01-01\"}]}", "2027-01-01")]
    [InlineData("{\"data\":[{\"id\":\"tts-1\",\"shutdown_date\":null}]}", null)]
    [InlineData("{\"data\":[{\"id\":\"tts-1\"}]}", null)]
    public void ModelLists_GiveTheShutdownDateInEitherForm(string json, string? expected)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        TtsModel model = Assert.Single(VoiceDiscovery.ParseModels(document.RootElement, "test")!);
        Assert.Equal(expected, model.ShutdownDate?.UtcDateTime.ToString("yyyy-MM-dd"));
        Assert.True(model.IsSpeech);
    }

    [Theory]
    [InlineData("tts-1", true)]
    [InlineData("gpt-4o-mini-tts-2025-12-15", true)]
    [InlineData("playai-tts", true)]
    [InlineData("whisper-1", false)]
    [InlineData("gpt-4o", false)]
    public void SpeechModels_AreToldByTheCatalogueOrTheirId(string id, bool speech) =>
        Assert.Equal(speech, VoiceCatalog.IsSpeechModel(id));

    [Fact]
    public void TheSnapshot_TakesInstructionsAndTheClassicModelsDoNot()
    {
        Assert.Contains(VoiceCatalog.InstructableSnapshot, VoiceCatalog.Models);
        Assert.False(VoiceCatalog.IgnoresInstructions(VoiceCatalog.InstructableSnapshot));
        Assert.True(VoiceCatalog.IgnoresInstructions("tts-1-hd"));
        Assert.False(VoiceCatalog.IsKnownUnsupported(VoiceCatalog.InstructableSnapshot, "marin"));
        Assert.True(VoiceCatalog.IsKnownUnsupported("tts-1", "marin"));
    }

    // Groq serves /openai/v1/audio/speech and OpenRouter /api/v1/audio/speech: the prefix stays, as users write it,
    // with or without the /v1 the providers' own documentation puts in their base URLs.
    [Theory]
    [InlineData("https://api.groq.com/openai", "https://api.groq.com/openai/v1/audio/speech")]
    [InlineData("https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1/audio/speech")]
    [InlineData("https://openrouter.ai/api", "https://openrouter.ai/api/v1/audio/speech")]
    [InlineData("https://openrouter.ai/api/v1/", "https://openrouter.ai/api/v1/audio/speech")]
    [InlineData("https://openrouter.ai/api/v1/audio/speech", "https://openrouter.ai/api/v1/audio/speech")]
    public void BaseUrlsWithTheirOwnPrefix_KeepIt(string baseUrl, string speech)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(baseUrl, SecretText.ToSecureString("tk-prefix-0123456789"));
        Assert.Equal(speech, endpoint.SpeechUri.AbsoluteUri);
        Assert.Equal(ProviderKind.OpenAICompatible, endpoint.Profile.Kind);
        Assert.Equal(speech.Replace("/audio/speech", "/models"), endpoint.ModelsUri!.AbsoluteUri);
    }
}
