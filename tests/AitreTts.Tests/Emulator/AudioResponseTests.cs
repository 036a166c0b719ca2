using System;
using System.Buffers.Binary;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading.Tasks;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>The audio the emulator answers: each format real, decodable, and as long as the input asks.</summary>
public sealed class AudioResponseTests
{
    private const string Sentence = "The emulator speaks every format, and ffmpeg decodes it without a single complaint.";

    [FfmpegTheory]
    [InlineData("mp3", "audio/mpeg", "mp3", "mp3", 24000, 0.15)]
    [InlineData("opus", "audio/ogg", "ogg", "opus", 48000, 0.1)]
    [InlineData("aac", "audio/aac", "aac", "aac", 24000, 0.15)]
    [InlineData("flac", "audio/flac", "flac", "flac", 24000, 0.001)]
    [InlineData("wav", "audio/wav", "wav", "pcm_s16le", 24000, 0.001)]
    public async Task EachFormat_IsAcceptedByFfprobeAndDecodesCleanly(string format, string contentType, string container, string codec, int sampleRate, double tolerance)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(Sentence, format: format));
        byte[] audio = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(audio.Length, response.Content.Headers.ContentLength);
        using var file = new TempFile(format, audio);
        Ffmpeg.ProbeResult probe = Ffmpeg.Probe(file.Path);
        Assert.Equal(container, probe.FormatName);
        Assert.Equal(codec, probe.CodecName);
        Assert.Equal(sampleRate, probe.SampleRate);
        Assert.Equal(1, probe.Channels);
        Assert.Equal(string.Empty, probe.Errors.Trim());
        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(file.Path));
        double expected = Sentence.Length * 0.06;
        Assert.InRange(Ffmpeg.DecodedSeconds(file.Path), expected - tolerance, expected + tolerance + 0.05);
    }

    [FfmpegFact]
    public async Task Pcm_IsRawS16leThatDecodesAtTheConfiguredRate()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { PcmSampleRate = 22050 });
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(Sentence, format: "pcm"));
        byte[] audio = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("audio/pcm", response.Content.Headers.ContentType?.MediaType);
        int samples = (int)Math.Round(Sentence.Length * 0.06 * 22050);
        Assert.Equal(samples * 2, audio.Length);
        Assert.NotEqual("RIFF", System.Text.Encoding.ASCII.GetString(audio, 0, 4));
        using var file = new TempFile("pcm", audio);
        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(file.Path, "s16le"));
    }

    [Theory]
    [InlineData(0.5, 12000)]
    [InlineData(1.0, 24000)]
    [InlineData(2.0, 48000)]
    public async Task Pcm_LengthIsTwoBytesPerSampleOfTheDuration(double secondsPerCharacter, int samplesFor20Characters)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { SecondsPerCharacter = secondsPerCharacter / 20 });
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("twenty characters ok", format: "pcm"));
        byte[] audio = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(samplesFor20Characters * 2, audio.Length);
    }

    [Fact]
    public async Task Wav_HasTheStreamedHeaderWithPlaceholderSizes()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Streamed wave header.", format: "wav"));
        byte[] wav = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(0xFFFFFFFFu, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal("WAVEfmt ", System.Text.Encoding.ASCII.GetString(wav, 8, 8));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22))); // mono
        Assert.Equal(24000u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        Assert.Equal("data", System.Text.Encoding.ASCII.GetString(wav, 36, 4));
        Assert.Equal(0xFFFFFFFFu, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        Assert.Equal(44 + (2 * (int)Math.Round(21 * 0.06 * 24000)), wav.Length);
    }

    [Fact]
    public async Task Flac_StreamInfoCarriesTheSampleCountAndTheMd5OfTheSamePcm()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        object body(string format) => EmulatorClient.Body("Check the checksum in the header.", voice: "nova", format: format);

        using HttpResponseMessage flacResponse = await EmulatorClient.PostSpeechAsync(client, server, body("flac"));
        byte[] flac = await flacResponse.Content.ReadAsByteArrayAsync();
        using HttpResponseMessage pcmResponse = await EmulatorClient.PostSpeechAsync(client, server, body("pcm"));
        byte[] pcm = await pcmResponse.Content.ReadAsByteArrayAsync();

        Assert.Equal("fLaC", System.Text.Encoding.ASCII.GetString(flac, 0, 4));
        Assert.Equal(0, flac[4] & 0x7F); // STREAMINFO first
        ulong packed = BinaryPrimitives.ReadUInt64BigEndian(flac.AsSpan(8 + 10));
        Assert.Equal(24000UL, packed >> 44);
        Assert.Equal((ulong)(pcm.Length / 2), packed & 0xFFFFFFFFFUL);
        Assert.Equal(MD5.HashData(pcm), flac.AsSpan(8 + 18, 16).ToArray());
    }

    [FfmpegFact]
    public async Task Duration_GrowsWithTheInputAndShrinksWithSpeed()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        async Task<double> SecondsOf(string format, string input, double? speed = null)
        {
            using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(input, format: format, speed: speed));
            using var file = new TempFile(format, await response.Content.ReadAsByteArrayAsync());
            return Ffmpeg.DecodedSeconds(file.Path);
        }

        string shortText = new string('a', 40);
        string longText = new string('a', 120);
        foreach (string format in new[] { "mp3", "opus", "aac", "wav" })
        {
            double shortSeconds = await SecondsOf(format, shortText);
            double longSeconds = await SecondsOf(format, longText);
            Assert.InRange(longSeconds / shortSeconds, 2.6, 3.4);
        }

        Assert.InRange(await SecondsOf("wav", longText, speed: 2.0), 3.59, 3.61);
        Assert.InRange(await SecondsOf("wav", "Hi"), 0.49, 0.51); // never shorter than half a second
    }

    [Fact]
    public async Task SameRequest_GivesTheSameBytes_AndTheVoiceChangesThem()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        async Task<byte[]> Pcm(string voice)
        {
            using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("Deterministic words here.", voice: voice, format: "pcm"));
            return await response.Content.ReadAsByteArrayAsync();
        }

        byte[] first = await Pcm("alloy");
        byte[] second = await Pcm("alloy");
        byte[] other = await Pcm("onyx");

        Assert.Equal(first, second);
        Assert.Equal(first.Length, other.Length);
        Assert.NotEqual(first, other);
        Assert.Contains(first, b => b != 0);
    }

    [Fact]
    public async Task LargeBody_ArrivesInPiecesWithContentLength()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        using HttpRequestMessage request = EmulatorClient.Speech(server, EmulatorClient.Body(new string('x', 200), format: "wav"));

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = 0;
        int reads = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
            reads++;
        }

        Assert.Equal(response.Content.Headers.ContentLength, total);
        Assert.True(total > 500_000);
        Assert.True(reads > 1);
    }

    [Fact]
    public async Task Sse_SendsBase64DeltasThenDoneWithUsage()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        var body = EmulatorClient.Body("Server-sent events.", format: "pcm", model: "gpt-4o-mini-tts");
        body["stream_format"] = "sse";

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, body);
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string[] events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var audio = new System.IO.MemoryStream();
        foreach (string e in events[..^1])
        {
            using var json = System.Text.Json.JsonDocument.Parse(e["data: ".Length..]);
            Assert.Equal("speech.audio.delta", json.RootElement.GetProperty("type").GetString());
            audio.Write(Convert.FromBase64String(json.RootElement.GetProperty("audio").GetString()!));
        }

        using var done = System.Text.Json.JsonDocument.Parse(events[^1]["data: ".Length..]);
        Assert.Equal("speech.audio.done", done.RootElement.GetProperty("type").GetString());
        Assert.True(done.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.Equal((int)Math.Round(19 * 0.06 * 24000) * 2, audio.Length);
    }
}
