using System;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Security;

public sealed class SecretRedactorTests
{
    private const string Key = "tk-proj-Q7vX2mLp9RtY4wZb8NcK3hJd6FgS1aE0uIoPqWeRtYuI5oPa";
    private static readonly Uri OpenAI = new("https://api.openai.com/v1/audio/speech");

    [Theory]
    // The whole key, once and twice.
    [InlineData("Invalid token: " + Key, "Invalid token: ***")]
    [InlineData(Key + "," + Key, "***,***")]
    // OpenAI's masked echo shows the public prefix and the last four: left as the server sent it.
    [InlineData("Incorrect API key provided: sk-proj-****************************************oPa. You can find your API key at https://platform.openai.com/account/api-keys.",
        "Incorrect API key provided: sk-proj-****************************************oPa. You can find your API key at https://platform.openai.com/account/api-keys.")]
    [InlineData("Incorrect API key provided: sk-proj-Q7v***********5oPa.", "Incorrect API key provided: sk-proj-Q7v***********5oPa.")]
    [InlineData("Incorrect API key provided: tk-proj-Q7vX***********5oPa.", "Incorrect API key provided: " + "***" + "***********5oPa.")]
    // A gateway that truncates the key still shows 12 or more of its characters: replaced.
    [InlineData("Unknown key tk-proj-Q7vX2mLp... (truncated)", "Unknown key ***... (truncated)")]
    [InlineData("key ending ...YuI5oPa9RtY4wZb not found", "key ending ...YuI5oPa9RtY4wZb not found")]
    [InlineData("key ending ...RtYuI5oPa now", "key ending ...RtYuI5oPa now")]
    [InlineData("key ending ...qWeRtYuI5oPa now", "key ending ...*** now")]
    [InlineData("middle part 9RtY4wZb8NcK3h leaked", "middle part *** leaked")]
    [InlineData("no key here", "no key here")]
    [InlineData("", "")]
    public void Redact_ReplacesTheKeyAndLongFragmentsOfIt(string text, string expected)
    {
        Assert.Equal(expected, SecretRedactor.Redact(text, Key));
    }

    [Theory]
    [InlineData(null, "sk-abc nginx")]
    [InlineData("", "sk-abc nginx")]
    [InlineData("x", "sk-abc nginx")]
    [InlineData("sk-abc", "*** nginx")]
    public void Redact_LeavesPlaceholderKeysAloneAndReplacesShortRealOnes(string? secret, string expected)
    {
        Assert.Equal(expected, SecretRedactor.Redact("sk-abc nginx", secret));
    }

    public static TheoryData<int, string> Echoes => new()
    {
        { 400, "{\"error\":{\"message\":\"Bad request from key " + Key + "\",\"type\":\"invalid_request_error\",\"code\":\"" + Key + "\"}}" },
        { 401, "{\"error\":\"Invalid API key: " + Key + "\"}" },
        { 403, "{\"detail\":{\"error\":\"forbidden\",\"message\":\"key " + Key.Substring(0, 20) + " is not allowed\"}}" },
        { 404, "<html><head><title>Not found for " + Key + "</title></head></html>" },
        { 429, "{\"message\":\"Rate limited for key " + Key + "\",\"code\":429}" },
        { 500, "panic: bad key " + Key + "\nstack trace" },
        { 502, "{\"detail\":[{\"loc\":[\"header\",\"authorization\"],\"msg\":\"Bearer " + Key + " rejected\"}]}" },
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public void Redact_RemovesTheKeyFromEveryPartOfAMappedError(int status, string body)
    {
        TtsException raw = HttpErrorMapper.FromResponse(status, null, null, body, "req_k", OpenAI, 2);
        Assert.Contains(Key.Substring(0, 20), raw.Message); // the server did echo it

        TtsException error = SecretRedactor.Redact(raw, Key);

        foreach (string? text in new[] { error.Message, error.ServerMessage, error.ServerCode, error.Hint, error.ToString() })
        {
            Assert.DoesNotContain(Key.Substring(0, SecretRedactor.MinimumFragmentLength), text ?? string.Empty);
            Assert.DoesNotContain(Key.Substring(Key.Length - SecretRedactor.MinimumFragmentLength), text ?? string.Empty);
        }

        Assert.Contains("***", error.Message);
        Assert.Equal(raw.ErrorId, error.ErrorId);
        Assert.Equal(raw.Category, error.Category);
        Assert.Equal(raw.StatusCode, error.StatusCode);
        Assert.Equal("req_k", error.RequestId);
        Assert.Equal(2, error.Attempts);
    }

    [Fact]
    public void Redact_ReturnsTheSameErrorWhenTheKeyIsAbsent()
    {
        TtsException raw = HttpErrorMapper.FromResponse(401, "Unauthorized", "application/json",
            "{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-********oPa.\",\"code\":\"invalid_api_key\"}}", "req_1", OpenAI, 1);

        Assert.Same(raw, SecretRedactor.Redact(raw, Key));
        Assert.Same(raw, SecretRedactor.Redact(raw, null));
    }

    [Fact]
    public void Redact_KeepsTheInnerException()
    {
        var inner = new InvalidOperationException("inner");
        var raw = new TtsException(TtsErrorIds.ConnectionFailed, TtsErrorCategory.ConnectionError, "Could not connect with " + Key, inner);

        TtsException error = SecretRedactor.Redact(raw, Key);

        Assert.Equal("Could not connect with ***", error.Message);
        Assert.Same(inner, error.InnerException);
    }

    [Theory]
    [InlineData("http://svc:pa55@proxy.corp:3128/", "http://proxy.corp:3128/")]
    [InlineData("https://api.example.com/v1/audio/speech?key=sk-abc&x=1", "https://api.example.com/v1/audio/speech")]
    [InlineData("https://user@api.example.com:8443/path#frag", "https://api.example.com:8443/path")]
    [InlineData("http://127.0.0.1:8880/v1/audio/speech", "http://127.0.0.1:8880/v1/audio/speech")]
    public void ShownUrl_DropsUserInfoQueryAndFragment(string url, string shown) =>
        Assert.Equal(shown, SecretRedactor.ShownUrl(new Uri(url)));

    [Theory]
    [InlineData("bob:pa55@127.0.0.1:8080", "***@127.0.0.1:8080")]
    [InlineData("ftp://bob:pa55@proxy.corp:21/x?k=v", "ftp://***@proxy.corp:21/x")]
    [InlineData("http://bob:pa/55@proxy.corp:3128", "http://***@proxy.corp:3128")]
    [InlineData("127.0.0.1:1", "127.0.0.1:1")]
    [InlineData(" http://proxy.corp:3128/#frag ", "http://proxy.corp:3128/")]
    [InlineData(null, "")]
    public void ShownAddress_DropsEverythingBeforeTheLastAtAndTheQuery_WithOrWithoutAScheme(string? address, string shown) =>
        Assert.Equal(shown, SecretRedactor.ShownAddress(address));

    [Theory]
    [InlineData("The proxy tunnel request to proxy 'http://svc:pa55w0rd@127.0.0.1:3128/' failed.", "The proxy tunnel request to proxy 'http://***@127.0.0.1:3128/' failed.")]
    [InlineData("see https://a:b@x.example and http://c@y.example/z", "see https://***@x.example and http://***@y.example/z")]
    [InlineData("no URL here, just user@example.com", "no URL here, just user@example.com")]
    public void RemoveUserInfo_MasksTheUserInfoOfEveryUrlInAText(string text, string expected) =>
        Assert.Equal(expected, SecretRedactor.RemoveUserInfo(text));
}
