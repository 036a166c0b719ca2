using System;
using System.Linq;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Core.Documents;
using AitreTts.Core.Providers;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Voices;
using Xunit;

namespace AitreTts.Tests.Voices;

// Kokoro-FastAPI mixes voices as af_bella(2)+af_sky, where - subtracts one: a mix is a voice of its own.
public sealed class VoiceMixTests
{
    private static readonly Uri Speech = new("http://localhost:8880/v1/audio/speech");

    private static ChunkCacheKey Key(string voice) => ChunkCacheKey.Create(Speech, null, "kokoro", voice, AudioFormat.Mp3, 1.0, null, "Hello.");

    [Fact]
    public void EachMix_HasACacheKeyOfItsOwn_AsGiven()
    {
        string[] mixes = { "af_bella+af_sky", "af_bella(2)+af_sky", "af_bella(2)-af_sky", "af_sky+af_bella(2)", "af_bella" };
        Assert.Equal(mixes.Length, mixes.Select(Key).Distinct().Count());
        Assert.Equal(Key("af_bella(2)+af_sky"), Key("af_bella(2)+af_sky"));
    }

    [Theory]
    [InlineData("af_bella(2)+af_sky")]
    [InlineData("af_bella(0.5)-af_sky")]
    [InlineData("af_bella+am_adam-af_sky")]
    public void AMixOfListedVoices_DrawsNoWarning(string mix)
    {
        TtsVoice[] listed = { new("af_bella", "", Array.Empty<string>(), "s"), new("af_sky", "", Array.Empty<string>(), "s"), new("am_adam", "", Array.Empty<string>(), "s") };
        Assert.Empty(SpeechAdvice.For(new SpeechOptions { Model = "kokoro", Voice = mix }, ProviderProfile.For(ProviderKind.Local), listed));
    }
}
