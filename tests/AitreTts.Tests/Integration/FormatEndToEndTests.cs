using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// Text in, one file out, through real HTTP, in every format; ffprobe and ffmpeg judge the file, not our own parsers.
/// </summary>
public sealed class FormatEndToEndTests
{
    // (format asked of the server, wrap pcm as wav)
    public static TheoryData<object, bool> Formats() => new()
    {
        { AudioFormat.Mp3, false },
        { AudioFormat.Opus, false },
        { AudioFormat.Aac, false },
        { AudioFormat.Flac, false },
        { AudioFormat.Wav, false },
        { AudioFormat.Pcm, false },
        { AudioFormat.Pcm, true },
    };

    [FfmpegTheory]
    [MemberData(nameof(Formats))]
    public async Task ShortText_GivesOneFileThatFfmpegDecodes_WithTheDurationFfprobeReports(object formatValue, bool wrapPcm)
    {
        var format = (AudioFormat)formatValue;
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        var options = new SpeechOptions { Format = format, Join = new AudioJoinOptions { WrapPcmAsWav = wrapPcm } };
        string text = "The platform for the evening train has changed to platform four.";

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), text, options, harness.UserTarget("short" + options.FileFormat.ToExtension()));

        bool rawPcm = options.FileFormat == AudioFormat.Pcm;
        Assert.Equal(new[] { Path.GetFileName(result.Path) }, harness.FileNames());
        Assert.Equal(options.FileFormat, result.Format);
        Assert.Equal(1, result.Chunks);
        Assert.Equal(new FileInfo(result.Path).Length, result.Bytes);
        Assert.Equal(string.Empty, IndependentAudio.DecodeErrors(result.Path, rawPcm));
        double measured = IndependentAudio.MeasureSeconds(result.Path, options.FileFormat);
        Assert.InRange(result.Duration.TotalSeconds, measured - IndependentAudio.FrameSeconds(format), measured + IndependentAudio.FrameSeconds(format));
        RecordedRequest request = Assert.Single(harness.SpeechRequests());
        Assert.Equal(text, request.Input);
        Assert.Equal(format.ToApiName(), request.ResponseFormat);
        Assert.Equal(request.RequestId, Assert.Single(result.RequestIds));
    }

    [Theory]
    [InlineData(22050)]
    [InlineData(24000)]
    public async Task OneChunkOfPcm_TakesItsDurationFromTheCallsSampleRate(int sampleRate)
    {
        // The client's check of the answer measures it as the defaults do (24 kHz); a call at another rate must not
        // take that figure for its own.
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync(new EmulatorOptions { RequiredApiKey = IntegrationHarness.Key, PcmSampleRate = sampleRate });
        var options = new SpeechOptions { Format = AudioFormat.Pcm, Join = new AudioJoinOptions { PcmSampleRate = sampleRate } };

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), "The platform for the evening train has changed to platform four.", options, harness.UserTarget("rate.pcm"));

        Assert.Equal(1, result.Chunks);
        Assert.Equal(new FileInfo(result.Path).Length / 2.0 / sampleRate, result.Duration.TotalSeconds, 3);
    }

    [FfmpegTheory]
    [MemberData(nameof(Formats))]
    public async Task LongDocument_ThreeChunks_JoinIntoOneValidFile(object formatValue, bool wrapPcm)
    {
        var format = (AudioFormat)formatValue;
        // 2 ms of audio per character keeps 10,000 characters to about 20 s of audio, quick to make and to decode.
        const double secondsPerCharacter = 0.002;
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync(new EmulatorOptions { RequiredApiKey = IntegrationHarness.Key, SecondsPerCharacter = secondsPerCharacter });
        var options = new SpeechOptions { Format = format, Join = new AudioJoinOptions { WrapPcmAsWav = wrapPcm } };
        string text = LongText.Build(10_000);
        IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text);
        Assert.Equal(3, chunks.Count); // the premise of the test

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), text, options, harness.UserTarget("long" + options.FileFormat.ToExtension()));

        bool rawPcm = options.FileFormat == AudioFormat.Pcm;
        Assert.Equal(new[] { Path.GetFileName(result.Path) }, harness.FileNames());
        Assert.Equal(3, result.Chunks);
        Assert.Equal(text.Length, result.Characters);
        Assert.Equal(3, result.RequestIds.Distinct().Count());
        Assert.All(result.RequestIds, id => Assert.NotNull(id));

        // The emulator saw exactly the three chunks: the same request ids, each within the API limit, and in
        // document order they give back the whole text (the white space between chunks is not sent).
        IReadOnlyList<RecordedRequest> requests = harness.SpeechRequests();
        Assert.Equal(3, requests.Count);
        Assert.Equal(result.RequestIds.OrderBy(id => id, StringComparer.Ordinal), requests.Select(r => r.RequestId).OrderBy(id => id, StringComparer.Ordinal));
        RecordedRequest[] inOrder = result.RequestIds.Select(id => requests.Single(r => r.RequestId == id)).ToArray();
        Assert.All(inOrder, r => Assert.InRange(r.Input!.Length, 1, TextSplitter.ApiMaximumCharacters));
        Assert.Equal(chunks.Select(c => c.RequestText), inOrder.Select(r => r.Input));
        Assert.Equal(WithoutWhiteSpace(text), WithoutWhiteSpace(string.Concat(inOrder.Select(r => r.Input))));

        // One valid file as long as its three parts together.
        Assert.Equal(string.Empty, IndependentAudio.DecodeErrors(result.Path, rawPcm));
        double measured = IndependentAudio.MeasureSeconds(result.Path, options.FileFormat);
        double frame = IndependentAudio.FrameSeconds(format);
        Assert.InRange(result.Duration.TotalSeconds, measured - frame, measured + frame);

        // Each chunk's audio fetched on its own, straight from the server, and measured the same way: the joined
        // file is as long as its parts (mp3 and aac parts each carry their codec's priming frames, which stay).
        double parts = 0;
        for (int i = 0; i < inOrder.Length; i++)
        {
            string part = Path.Combine(harness.Directory, "part" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + options.FileFormat.ToExtension());
            await File.WriteAllBytesAsync(part, await FetchDirectAsync(harness, inOrder[i].Input!, format));
            if (wrapPcm)
            {
                parts += new FileInfo(part).Length / 2.0 / 24000;
            }
            else
            {
                parts += IndependentAudio.MeasureSeconds(part, options.FileFormat);
            }
        }

        Assert.InRange(measured, parts - Math.Max(frame, parts * 0.01), parts + Math.Max(frame, parts * 0.01));
    }

    private static async Task<byte[]> FetchDirectAsync(IntegrationHarness harness, string input, AudioFormat format)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(harness.Server.BaseUrl, "/v1/audio/speech"))
        {
            Content = JsonContent.Create(new { model = "tts-1", voice = "alloy", input, response_format = format.ToApiName() }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IntegrationHarness.Key);
        using HttpResponseMessage response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static string WithoutWhiteSpace(string text) => new(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
}
