using System;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;

namespace AitreTts.Tests.Http;

// The one check of a proxy address, shared by -Proxy, Set-TtsConfiguration and stored proxies.
public sealed class ProxyAddressTests
{
    private const string Password = "Pr0xy-Secret-Kq5";

    [Theory]
    [InlineData("http://proxy.corp:8080")]
    [InlineData("https://proxy.corp")]
    [InlineData("http://svc:" + Password + "@127.0.0.1:3128/")]
    [InlineData(" http://[::1]:3128 ")]
    public void ParseAddress_AcceptsAnAbsoluteHttpOrHttpsUrlWithAHost(string address)
    {
        Uri proxy = ProxySettings.ParseAddress(address);

        Assert.True(proxy.IsAbsoluteUri);
        Assert.False(string.IsNullOrEmpty(proxy.Host));
    }

    [Theory]
    [InlineData("bob:" + Password + "@127.0.0.1:8080", "***@127.0.0.1:8080")]
    [InlineData("127.0.0.1:1", "127.0.0.1:1")]
    [InlineData("ftp://bob:" + Password + "@127.0.0.1:21", "ftp://***@127.0.0.1:21")]
    [InlineData("socks5://bob:" + Password + "@127.0.0.1:1080", "socks5://***@127.0.0.1:1080")]
    [InlineData("proxy.corp", "proxy.corp")]
    [InlineData("", "")]
    [InlineData("file:///tmp/x", "file:///tmp/x")]
    public void ParseAddress_RefusesAnythingElseWithTtsInvalidProxy_NeverShowingTheUserInfo(string address, string shown)
    {
        TtsException error = Assert.Throws<TtsException>(() => ProxySettings.ParseAddress(address));

        Assert.Equal(TtsErrorIds.InvalidProxy, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("'" + shown + "'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAddress_ChecksARelativeUriByItsOriginalText()
    {
        var relative = new Uri("127.0.0.1:1", UriKind.RelativeOrAbsolute);

        TtsException error = Assert.Throws<TtsException>(() => ProxySettings.ParseAddress(relative));

        Assert.Equal(TtsErrorIds.InvalidProxy, error.ErrorId);
    }
}
