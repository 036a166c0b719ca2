using System;
using System.Text;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;

namespace AitreTts.Tests.Http;

public sealed class AudioContentCheckTests
{
    private static readonly Uri Speech = new("https://api.example.com/v1/audio/speech");

    [Theory]
    [InlineData("application/json", "{\"error\":{\"message\":\"Quota exceeded\"}}", "Quota exceeded")]
    [InlineData("text/html", "<html><head><title>Sign in</title></head></html>", "Sign in")]
    [InlineData(null, "  {\"message\": \"gateway says no\"}", "gateway says no")]
    [InlineData("application/octet-stream", "<!DOCTYPE html><html><title>Proxy login</title></html>", "Proxy login")]
    public void EnsureAudio_RefusesTextDressedAsASuccess(string? contentType, string body, string quoted)
    {
        byte[] bytes = Bytes(body);
        TtsException error = Assert.Throws<TtsException>(() => AudioContentCheck.EnsureAudio(bytes, bytes.Length, AudioFormat.Mp3, contentType, "req_1", Speech));
        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Contains(quoted, error.Message);
        Assert.Contains("req_1", error.Message);
    }

    [Fact]
    public void EnsureAudio_NamesTheFormatAServerSentInstead()
    {
        byte[] wav = Bytes("RIFF\u00FF\u00FF\u00FF\u00FFWAVEfmt ");
        TtsException error = Assert.Throws<TtsException>(() => AudioContentCheck.EnsureAudio(wav, wav.Length, AudioFormat.Mp3, "audio/mpeg", "req_2", Speech));
        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidResult, error.Category);
        Assert.Contains("asked api.example.com for mp3 audio, but it sent wav", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("-Format wav", error.Message);
    }

    [Theory]
    [InlineData(AudioFormat.Mp3, "audio/mpeg", new byte[] { 0x49, 0x44, 0x33, 0x04, 0x00 })]
    [InlineData(AudioFormat.Flac, "audio/flac", new byte[] { 0x49, 0x44, 0x33, 0x03, 0x00 })]
    [InlineData(AudioFormat.Pcm, "audio/pcm", new byte[] { 0x7B, 0x01, 0x80, 0xFE, 0x02, 0x00 })]
    [InlineData(AudioFormat.Pcm, null, new byte[] { 0x00, 0x01, 0x80, 0xFE, 0x02, 0x00 })]
    [InlineData(AudioFormat.Opus, "application/octet-stream", new byte[] { 0x4F, 0x67, 0x67, 0x53, 0x00 })]
    public void EnsureAudio_AcceptsAudio(object format, string? contentType, byte[] start) =>
        AudioContentCheck.EnsureAudio(start, start.Length, (AudioFormat)format, contentType, null, Speech);

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
