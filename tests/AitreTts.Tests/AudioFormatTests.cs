using AitreTts.Core;
using AitreTts.Core.Errors;

namespace AitreTts.Tests;

public sealed class AudioFormatTests
{
    [Theory]
    [InlineData("mp3", AudioFormat.Mp3)]
    [InlineData(".MP3", AudioFormat.Mp3)]
    [InlineData("opus", AudioFormat.Opus)]
    [InlineData("ogg", AudioFormat.Opus)]
    [InlineData("aac", AudioFormat.Aac)]
    [InlineData("flac", AudioFormat.Flac)]
    [InlineData("Wav", AudioFormat.Wav)]
    [InlineData("pcm", AudioFormat.Pcm)]
    public void TryParse_AcceptsApiNamesAndCommonExtensions(string value, object expectedValue)
    {
        var expected = (AudioFormat)expectedValue;
        Assert.True(AudioFormats.TryParse(value, out AudioFormat actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("mp4")]
    [InlineData("wma")]
    public void TryParse_RejectsOtherNames(string? value) => Assert.False(AudioFormats.TryParse(value, out _));

    [Theory]
    [InlineData("/tmp/a.mp3", AudioFormat.Mp3)]
    [InlineData("C:\\x\\b.FLAC", AudioFormat.Flac)]
    [InlineData("/tmp/noextension", null)]
    [InlineData("/tmp/a.txt", null)]
    public void FromPath_ReadsTheExtension(string path, object? expected) => Assert.Equal((AudioFormat?)expected, AudioFormats.FromPath(path));

    [Fact]
    public void Names_ListsEveryFormatInTheApisOrder()
    {
        Assert.Equal("mp3, opus, aac, flac, wav, pcm", AudioFormats.Names);
        TtsException error = AudioFormats.Unknown("mp4");
        Assert.Equal(TtsErrorIds.InvalidFormat, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Equal("'mp4' is not a format the speech API offers. Use one of: mp3, opus, aac, flac, wav, pcm.", error.Message);
    }

    [Fact]
    public void Named_ReadsApiNamesInTheirOrder() =>
        Assert.Equal(new[] { AudioFormat.Wav, AudioFormat.Opus, AudioFormat.Pcm }, AudioFormats.Named("wav, opus,pcm"));

    [Theory]
    [InlineData("ogg")]
    [InlineData("MP3")]
    [InlineData("mp4")]
    public void Named_RefusesAnythingButAnExactApiName(string name) => Assert.Throws<System.ArgumentException>(() => AudioFormats.Named(name));
}
