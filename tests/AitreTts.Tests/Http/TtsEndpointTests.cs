using System;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Http;

public sealed class TtsEndpointTests
{
    [Theory]
    [InlineData("https://api.openai.com", "https://api.openai.com/v1/audio/speech")]
    [InlineData("https://api.openai.com/", "https://api.openai.com/v1/audio/speech")]
    [InlineData("https://api.openai.com/v1", "https://api.openai.com/v1/audio/speech")]
    [InlineData("https://api.openai.com/v1/", "https://api.openai.com/v1/audio/speech")]
    [InlineData("https://api.openai.com/v1/audio/speech", "https://api.openai.com/v1/audio/speech")]
    [InlineData("https://gateway.example.com/openai-proxy", "https://gateway.example.com/openai-proxy/v1/audio/speech")]
    [InlineData("http://localhost:8880", "http://localhost:8880/v1/audio/speech")]
    public void SpeechUri_NeverDoublesSlashesOrV1(string baseUrl, string expected)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(baseUrl, SecretText.ToSecureString("sk-test-key-0123456789"));
        Assert.Equal(expected, endpoint.SpeechUri.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("api.openai.com")]
    [InlineData("/v1/audio/speech")]
    [InlineData("ftp://example.com")]
    [InlineData("https://example.com/?x=1")]
    [InlineData("not a url")]
    public void Create_RejectsMalformedOrRelativeUrls(string baseUrl)
    {
        TtsException error = Assert.Throws<TtsException>(() => TtsEndpoint.Create(baseUrl, null));
        Assert.Equal(TtsErrorIds.InvalidBaseUrl, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
    }

    [Theory]
    [InlineData("http://u:Secret-Pw-1@127.0.0.1:9", "http://127.0.0.1:9/")]
    [InlineData("https://u@tts.example/v1", "https://tts.example/v1")]
    [InlineData("http://u:Secret-Pw-1@127.0.0.1:9/?key=Secret-Q-1", "http://127.0.0.1:9/")]
    [InlineData("http://127.0.0.1:9/?key=Secret-Q-1", "http://127.0.0.1:9/")]
    [InlineData("https://tts.example/#Secret-Q-1", "https://tts.example/")]
    public void Create_RefusesCredentialsOrAQueryInTheUrl_AndQuotesItOnlyAsShownUrlShowsIt(string baseUrl, string shown)
    {
        TtsException error = Assert.Throws<TtsException>(() => TtsEndpoint.Create(baseUrl, SecretText.ToSecureString("tk-endpoint-key-0000"), allowUnencryptedAuthentication: true));

        Assert.Equal(TtsErrorIds.InvalidBaseUrl, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains(" " + shown + " ", error.Message, StringComparison.Ordinal);
        Assert.Contains("-ApiKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("u:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_QuotesAnUnparseableUrlWithoutWhatPrecedesItsLastAt()
    {
        TtsException error = Assert.Throws<TtsException>(() => TtsEndpoint.Create("http://u:Secret Pw@host name:9/?key=Secret", null));

        Assert.Equal(TtsErrorIds.InvalidBaseUrl, error.ErrorId);
        Assert.Contains("'http://***@host name:9/'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NeedsAKeyForRemoteHostsOnly()
    {
        TtsException error = Assert.Throws<TtsException>(() => TtsEndpoint.Create("https://api.openai.com", null));
        Assert.Equal(TtsErrorIds.ApiKeyMissing, error.ErrorId);
        Assert.Null(TtsEndpoint.Create("http://localhost:8880", null).ApiKey);
        Assert.Null(TtsEndpoint.Create("http://127.0.0.1:8880", null).ApiKey);
        Assert.Null(TtsEndpoint.Create("http://[::1]:8880", null).ApiKey);
    }

    [Fact]
    public void Create_RefusesToSendAKeyOverPlainHttpToAnotherHost()
    {
        TtsException error = Assert.Throws<TtsException>(() => TtsEndpoint.Create("http://gateway.example.com", SecretText.ToSecureString("sk-secret-0123456789")));
        Assert.Equal(TtsErrorIds.InsecureTransport, error.ErrorId);
        Assert.DoesNotContain("sk-secret", error.Message);
        Assert.NotNull(TtsEndpoint.Create("http://gateway.example.com", SecretText.ToSecureString("sk-secret-0123456789"), allowUnencryptedAuthentication: true));
        Assert.NotNull(TtsEndpoint.Create("http://127.0.0.1:9", SecretText.ToSecureString("sk-secret-0123456789")));
    }

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://api.openai.com", SecretText.ToSecureString("tk-verysecret-0123456789"));
        Assert.DoesNotContain("verysecret", endpoint.ToString());
    }

    [Theory]
    [InlineData("tk-proj-abcdefghijklmnop1234", "tk-...1234")]
    [InlineData("short", "********")]
    [InlineData("", "")]
    public void Mask_ShowsOnlyTheEnds(string key, string expected) =>
        Assert.Equal(expected, SecretText.Mask(key.Length == 0 ? null : SecretText.ToSecureString(key)));
}
