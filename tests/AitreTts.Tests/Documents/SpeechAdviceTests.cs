using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;

namespace AitreTts.Tests.Documents;

public sealed class SpeechAdviceTests
{
    [Fact]
    public void NothingIsSaidAboutOptionsEveryServerTakes() =>
        Assert.Empty(SpeechAdvice.For(new SpeechOptions { Model = "gpt-4o-mini-tts", Voice = "nova", Instructions = "Calm." }, ProviderKind.OpenAI));

    [Fact]
    public void AVoiceTheOpenAIModelDoesNotHaveIsWarnedAbout() =>
        Assert.Equal(
            "The voice 'ballad' is not known to work with the model 'tts-1'; OpenAI will refuse it, other servers may not. See Get-TtsVoice -Model tts-1.",
            Assert.Single(SpeechAdvice.For(new SpeechOptions { Model = "tts-1", Voice = "ballad" }, ProviderKind.OpenAI)));

    [Fact]
    public void InstructionsToAModelThatIgnoresThemAreWarnedAbout() =>
        Assert.Equal(
            "The model 'tts-1-hd' does not take -Instructions; use -Model gpt-4o-mini-tts for voice direction.",
            Assert.Single(SpeechAdvice.For(new SpeechOptions { Model = "tts-1-hd", Voice = "nova", Instructions = "Whisper." }, ProviderKind.Local)));

    [Fact]
    public void WhatAProviderDoesNotDocumentIsWarnedAboutLast()
    {
        var options = new SpeechOptions { Model = "tts-1", Voice = "ballad", Format = AudioFormat.Pcm, Instructions = "Slowly." };
        string advice = ProviderProfile.For(ProviderKind.Aitre).Advice(AudioFormat.Pcm, "ballad")!;
        Assert.NotNull(advice);
        Assert.Equal(3, SpeechAdvice.For(options, ProviderKind.Aitre).Count);
        Assert.Equal(advice, SpeechAdvice.For(options, ProviderKind.Aitre)[2]);
    }

    [Fact]
    public void AnUnknownModelAndVoiceOnAGatewayAreNotJudged() =>
        Assert.Empty(SpeechAdvice.For(new SpeechOptions { Model = "kokoro", Voice = "af_bella", Instructions = "x" }, ProviderKind.OpenAICompatible));

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
