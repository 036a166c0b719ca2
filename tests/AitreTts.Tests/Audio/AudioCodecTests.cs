using System;
using System.Linq;
using System.Text;
using AitreTts.Core;
using AitreTts.Core.Audio;

namespace AitreTts.Tests.Audio;

/// <summary>What each format's codec answers for the rest of the module: the content check, and what a file of it becomes.</summary>
public sealed class AudioCodecTests
{
    public static TheoryData<byte[], object?> Starts() => new()
    {
        { Bytes("RIFF\0\0\0\0WAVEfmt "), AudioFormat.Wav },
        { Bytes("OggS\0\u0002"), AudioFormat.Opus },
        { Bytes("fLaC\0\0\0\u0022"), AudioFormat.Flac },
        { new byte[] { 0xFF, 0xFB, 0x90, 0x64 }, AudioFormat.Mp3 },
        { new byte[] { 0xFF, 0xF3, 0x84, 0xC4 }, AudioFormat.Mp3 },
        { new byte[] { 0xFF, 0xF1, 0x50, 0x80 }, AudioFormat.Aac },
        { new byte[] { 0xFF, 0xF9, 0x50, 0x80 }, AudioFormat.Aac },
        { new byte[] { 0x12, 0x00, 0xF0, 0xFF }, null },
        { Bytes("{\"error\":{}}"), null },
    };

    [Fact]
    public void EveryFormatHasItsOwnCodec()
    {
        Assert.All(AudioFormats.All, format => Assert.Equal(format, AudioCodec.For(format).Format));
        Assert.Equal(AudioFormats.All.Count, AudioFormats.All.Select(AudioCodec.For).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Starts))]
    public void Detect_TellsContainersApartByTheirFirstBytes(byte[] start, object? expected) =>
        Assert.Equal((AudioFormat?)expected, AudioContentVerdict.Detect(start, start.Length));

    [Theory]
    [InlineData(AudioFormat.Mp3, null, "{\"error\":{\"message\":\"Quota exceeded\"}}", AudioContentKind.Text, null)]
    [InlineData(AudioFormat.Pcm, null, "  <html><title>Sign in</title></html>", AudioContentKind.Text, null)]
    [InlineData(AudioFormat.Opus, "application/json", "OggS\0\u0002", AudioContentKind.Text, null)]
    [InlineData(AudioFormat.Mp3, null, "RIFF\u00FF\u00FF\u00FF\u00FFWAVEfmt ", AudioContentKind.OtherFormat, AudioFormat.Wav)]
    [InlineData(AudioFormat.Flac, "audio/flac", "OggS\0\u0002", AudioContentKind.OtherFormat, AudioFormat.Opus)]
    [InlineData(AudioFormat.Flac, null, "fLaC\0\0\0\u0022", AudioContentKind.Audio, AudioFormat.Flac)]
    [InlineData(AudioFormat.Aac, null, "ID3\u0004\0", AudioContentKind.Audio, null)]
    [InlineData(AudioFormat.Pcm, "audio/pcm", "{\u0001\u0080\u00FE\u0002\0", AudioContentKind.Audio, null)]
    public void CheckContent_JudgesTheStartOfABodyAgainstTheAskedFormat(object format, string? contentType, string start, object kind, object? sent)
    {
        byte[] bytes = Bytes(start);
        AudioContentVerdict verdict = AudioCodec.For((AudioFormat)format).CheckContent(bytes, bytes.Length, contentType);
        Assert.Equal(new AudioContentVerdict((AudioContentKind)kind, (AudioFormat?)sent), verdict);
        Assert.Equal((AudioContentKind)kind == AudioContentKind.Audio, verdict.IsAudio);
    }

    [Theory]
    [InlineData(AudioFormat.Pcm, true, AudioFormat.Wav, false)]
    [InlineData(AudioFormat.Pcm, false, AudioFormat.Pcm, true)]
    [InlineData(AudioFormat.Wav, false, AudioFormat.Wav, false)] // the API streams placeholder sizes: always rewritten
    [InlineData(AudioFormat.Mp3, true, AudioFormat.Mp3, true)]
    [InlineData(AudioFormat.Opus, false, AudioFormat.Opus, true)]
    public void TheCodecSaysWhatTheFileBecomes(object format, bool wrapPcm, object fileFormat, bool keptAsSent)
    {
        var options = new AudioJoinOptions { WrapPcmAsWav = wrapPcm };
        AudioCodec codec = AudioCodec.For((AudioFormat)format);
        Assert.Equal((AudioFormat)fileFormat, codec.FileFormat(options));
        Assert.Equal(keptAsSent, codec.KeepsSingleChunkAsSent(options));
    }

    [Theory]
    [InlineData(AudioFormat.Wav, true, AudioFormat.Pcm)]
    [InlineData(AudioFormat.Wav, false, AudioFormat.Wav)]
    [InlineData(AudioFormat.Pcm, true, AudioFormat.Pcm)]
    [InlineData(AudioFormat.Flac, true, AudioFormat.Flac)]
    public void AskedFor_IsTheFormatWhoseFileIsTheOneWanted(object fileFormat, bool wrapPcm, object asked) =>
        Assert.Equal((AudioFormat)asked, AudioCodec.AskedFor((AudioFormat)fileFormat, new AudioJoinOptions { WrapPcmAsWav = wrapPcm }));

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
