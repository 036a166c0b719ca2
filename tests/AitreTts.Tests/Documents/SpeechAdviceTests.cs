using System;
using System.Collections.Generic;
using System.Linq;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Providers;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Voices;

namespace AitreTts.Tests.Documents;

public sealed class SpeechAdviceTests
{
    [Fact]
    public void NothingIsSaidAboutOptionsEveryServerTakes() =>
        Assert.Empty(SpeechAdvice.For(new SpeechOptions { Model = "gpt-4o-mini-tts", Voice = "nova", Instructions = "Calm." }, ProviderProfile.For(ProviderKind.OpenAI)));

    [Fact]
    public void AVoiceTheOpenAIModelDoesNotHaveIsWarnedAbout() =>
        Assert.Equal(
            "The voice 'ballad' is not known to work with the model 'tts-1'; OpenAI will refuse it, other servers may not. See Get-TtsVoice -Model tts-1.",
            Assert.Single(SpeechAdvice.For(new SpeechOptions { Model = "tts-1", Voice = "ballad" }, ProviderProfile.For(ProviderKind.OpenAI))));

    [Fact]
    public void InstructionsToAModelThatIgnoresThemAreWarnedAbout() =>
        Assert.Equal(
            "The model 'tts-1-hd' does not take -Instructions; use -Model gpt-4o-mini-tts for voice direction.",
            Assert.Single(SpeechAdvice.For(new SpeechOptions { Model = "tts-1-hd", Voice = "nova", Instructions = "Whisper." }, ProviderProfile.For(ProviderKind.Local))));

    [Fact]
    public void WhatAProviderDoesNotDocumentIsWarnedAboutLast()
    {
        var options = new SpeechOptions { Model = "tts-1", Voice = "ballad", Format = AudioFormat.Pcm, Instructions = "Slowly." };
        string advice = ProviderProfile.For(ProviderKind.Aitre).Advice(AudioFormat.Pcm, "ballad")!;
        Assert.NotNull(advice);
        // The gateway's own documented voices judge 'ballad', once: OpenAI's catalogue does not speak for AITRE.
        IReadOnlyList<string> warnings = SpeechAdvice.For(options, ProviderProfile.For(ProviderKind.Aitre));
        Assert.Equal(2, warnings.Count);
        Assert.Equal(advice, warnings[1]);
        Assert.Single(warnings, w => w.Contains("'ballad'"));
    }

    [Fact]
    public void AnUnknownModelAndVoiceOnAGatewayAreNotJudged() =>
        Assert.Empty(SpeechAdvice.For(new SpeechOptions { Model = "kokoro", Voice = "af_bella", Instructions = "x" }, ProviderProfile.For(ProviderKind.OpenAICompatible)));

    [Theory]
    [InlineData(ProviderKind.Local)]
    [InlineData(ProviderKind.OpenAICompatible)]
    [InlineData(ProviderKind.Apimart)]
    public void ALocalServersOwnVoiceWithAnOpenAIModelNameIsNotJudgedByOpenAIsCatalogue(ProviderKind provider) =>
        Assert.DoesNotContain(
            SpeechAdvice.For(new SpeechOptions { Model = "tts-1", Voice = "af_bella" }, ProviderProfile.For(provider)),
            w => w.Contains("OpenAI will refuse"));

    [Theory]
    [InlineData(ProviderKind.OpenAI)]
    [InlineData(ProviderKind.AzureOpenAI)]
    public void OpenAIsCatalogueJudgesVoicesWhereItApplies(ProviderKind provider) =>
        Assert.Contains(
            "The voice 'af_bella' is not known to work with the model 'tts-1'; OpenAI will refuse it",
            Assert.Single(SpeechAdvice.For(new SpeechOptions { Model = "tts-1", Voice = "af_bella" }, ProviderProfile.For(provider))));

    [Theory]
    [InlineData("tts-1")]
    [InlineData("gpt-4o-mini-tts-2025-12-15")]
    public void ACustomVoiceIsNotJudgedByTheCatalogue(string model) =>
        Assert.Empty(SpeechAdvice.For(new SpeechOptions { Model = model, Voice = "voice_1234" }, ProviderProfile.For(ProviderKind.OpenAI)));

    [Theory]
    [InlineData("af_bella", false)]
    [InlineData("AF_Bella", false)]
    [InlineData("af_bella(2)+af_sky", false)]
    [InlineData("af_bella+af_sky-am_adam", false)]
    [InlineData("en_US-lessac-medium", false)]
    [InlineData("af_nobody", true)]
    [InlineData("af_bella+af_nobody", true)]
    public void TheServersOwnListJudgesVoicesWhenItIsKnown(string voice, bool warned)
    {
        TtsVoice[] listed = { Voice("af_bella"), Voice("af_sky"), Voice("am_adam"), Voice("en_US-lessac-medium") };
        IReadOnlyList<string> warnings = SpeechAdvice.For(new SpeechOptions { Model = "kokoro", Voice = voice }, ProviderProfile.For(ProviderKind.Local), listed);
        Assert.Equal(warned, warnings.Any(w => w.StartsWith($"The voice '{voice}' is not in the server's own list of voices, which has 4;", StringComparison.Ordinal)));
        Assert.Equal(warned ? 1 : 0, warnings.Count);
    }

    private static TtsVoice Voice(string name) => new(name, string.Empty, Array.Empty<string>(), "http://127.0.0.1/v1/audio/voices");

    [Theory]
    [InlineData(0.25, true)]
    [InlineData(4.0, true)]
    [InlineData(1.0, true)]
    [InlineData(0.24, false)]
    [InlineData(4.01, false)]
    [InlineData(double.NaN, false)]
    public void SpeedMustBeFromAQuarterToFour(double speed, bool valid)
    {
        TtsException? error = SpeechAdvice.InvalidSpeed(speed);
        Assert.Equal(valid, error is null);
        if (error is not null)
        {
            Assert.Equal(TtsErrorIds.InvalidSpeed, error.ErrorId);
            Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
            Assert.StartsWith($"-Speed {speed.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range.", error.Message);
        }
    }
}
