using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Offline;
using AitreTts.Core.Text;
using AitreTts.Core.Voices;
using AitreTts.Tests.Support;
using AitreTts.Tests.Text;
using Xunit.Abstractions;

namespace AitreTts.Tests.Offline;

/// <summary>The offline provider's audio, judged by ffprobe, ffmpeg and the core's own inspector.</summary>
public sealed class OfflineSpeechTests : IDisposable
{
    private const string Sentence = "The morning announcement: the server room is closed for maintenance until noon. ";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aitretts-offline-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public OfflineSpeechTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_folder);
    }

    public static TheoryData<AudioFormat> Formats() => new() { AudioFormat.Mp3, AudioFormat.Opus, AudioFormat.Aac, AudioFormat.Flac, AudioFormat.Wav, AudioFormat.Pcm };

    public static TheoryData<AudioFormat, double> FormatsAndSpeeds()
    {
        var data = new TheoryData<AudioFormat, double>();
        foreach (AudioFormat format in AudioFormats.All)
        {
            data.Add(format, 1.0);
            data.Add(format, 2.0);
        }

        return data;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [FfmpegTheory]
    [MemberData(nameof(Formats))]
    public void EveryFormatIsValidForFfprobeAndDecodesWithoutAMessage(AudioFormat format)
    {
        string path = Save(OfflineSpeech.Synthesize(Sentence, "nova", format, 1.0), format);

        (string codec, int sampleRate, int channels, _, string probeErrors) = Probe(path, format);
        Assert.Equal(string.Empty, probeErrors);
        Assert.Equal(ExpectedCodec(format), codec);
        Assert.Equal(format == AudioFormat.Opus ? 48000 : 24000, sampleRate);
        Assert.Equal(1, channels);

        // ffmpeg at -v error stays silent about some broken streams (it drops undecodable FLAC frames with a
        // warning), so the decoded audio must also be all there.
        double decoded = DecodeSamples(path, format).Length / 24000.0;
        Assert.InRange(decoded, Sentence.Length / 15.0 * 0.9, Sentence.Length / 15.0 * 1.1);
    }

    [Fact]
    public void AnMp3ClipWhoseFirstFrameBorrowsFromTheBitReservoirIsRefused()
    {
        // Rounds restart at the first audio frame; one that needs bytes from the frame before it would decode
        // from bytes it was not encoded against, which ffmpeg does not report. So the loader must refuse it.
        byte[] clip = OfflineClips.Load("alloy.mp3");
        var frames = new List<(int Start, int Length)>();
        for (int o = 0; o < clip.Length;)
        {
            Assert.True(Mp3Codec.TryParseHeader(clip, o, out Mp3Codec.Header h));
            frames.Add((o, h.Length));
            o += h.Length;
        }

        (int start, _) = frames.Skip(1).First(f => clip[f.Start + 4] != 0); // MPEG-2: main_data_begin is the first side-info byte
        byte[] borrowing = clip.Take(frames[0].Length).Concat(clip.Skip(start)).ToArray();

        Assert.NotNull(new Mp3Loop(clip).Build(24000));
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => new Mp3Loop(borrowing));
        Assert.Contains("bit reservoir", error.Message);
    }

    [Fact]
    public void WavHeaderCarriesTheTrueSizes()
    {
        byte[] wav = OfflineSpeech.Synthesize(Sentence, "alloy", AudioFormat.Wav, 1.0);

        Assert.Equal((uint)(wav.Length - 8), BitConverter.ToUInt32(wav, 4));
        Assert.Equal((uint)(wav.Length - 44), BitConverter.ToUInt32(wav, 40));
        Assert.Equal(24000u, BitConverter.ToUInt32(wav, 24));
        Assert.Equal(16, BitConverter.ToUInt16(wav, 34));
    }

    [FfmpegTheory]
    [MemberData(nameof(FormatsAndSpeeds))]
    public void LengthIsOneSecondPerFifteenCharactersDividedBySpeed(AudioFormat format, double speed)
    {
        string text = string.Concat(Enumerable.Repeat(Sentence, 2)); // 162 characters: 10.8 s at speed 1
        double expected = text.Length / 15.0 / speed;
        string path = Save(OfflineSpeech.Synthesize(text, "echo", format, speed), format);

        double probed = Probe(path, format).Duration;
        double decoded = DecodeSamples(path, format).Length / 24000.0;
        double inspected = AudioInspector.Inspect(format, path, new AudioJoinOptions()).Duration.TotalSeconds;
        _output.WriteLine($"{format} x{speed}: expected {expected:0.000} s, ffprobe {probed:0.000} s, decoded {decoded:0.000} s, inspector {inspected:0.000} s");

        Assert.InRange(probed, expected * 0.9, expected * 1.1);
        Assert.InRange(decoded, expected * 0.9, expected * 1.1);
        Assert.InRange(inspected, expected * 0.9, expected * 1.1);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ShortTextLastsHalfASecond(AudioFormat format)
    {
        string path = Save(OfflineSpeech.Synthesize("Hi.", "sage", format, 4.0), format);

        double inspected = AudioInspector.Inspect(format, path, new AudioJoinOptions()).Duration.TotalSeconds;

        Assert.InRange(inspected, 0.45, 0.55);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void TheSameRequestGivesTheSameBytes(AudioFormat format)
    {
        byte[] first = OfflineSpeech.Synthesize(Sentence, "coral", format, 1.25);
        byte[] second = OfflineSpeech.Synthesize(Sentence, "CORAL", format, 1.25);
        byte[] otherText = OfflineSpeech.Synthesize(Sentence.Replace("noon", "five"), "coral", format, 1.25);

        Assert.Equal(first, second);
        if (format is AudioFormat.Wav or AudioFormat.Pcm or AudioFormat.Flac)
        {
            Assert.NotEqual(first, otherText); // the synthesized formats follow the text, not only its length
        }
    }

    [Fact]
    public void SynthesizedSpeechMatchesItsStoredDigest()
    {
        // A change to the synthesizer changes every user's stored reference file; this digest makes that a
        // decision, not an accident. Update it (and say so in the changelog) only when the change is meant.
        using var all = new MemoryStream();
        foreach (AudioFormat format in AudioFormats.All)
        {
            byte[] body = OfflineSpeech.Synthesize("Determinism check, 1 2 3? Yes.", "fable", format, 1.5);
            all.Write(body, 0, body.Length);
        }

        string digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(all.ToArray()));
        _output.WriteLine(digest);

        Assert.Equal(StoredDigest, digest);
    }

    [FfmpegTheory]
    [MemberData(nameof(Formats))]
    public void EachVoiceHasItsOwnPitch(AudioFormat format)
    {
        // The synthesized formats sit on the voice's pitch; the clips (espeak-ng speech, shifted to that pitch, in
        // which each voice also says its own name) vary with the intonation of the words, so they get more room.
        bool synthesized = format is AudioFormat.Wav or AudioFormat.Pcm or AudioFormat.Flac;
        double tolerance = synthesized ? 0.03 : 0.15;
        var measured = new List<(OfflineVoice Voice, double Pitch)>();
        foreach (OfflineVoice voice in OfflineVoices.All.OrderBy(v => v.PitchHz))
        {
            string path = Save(OfflineSpeech.Synthesize("Offline voices sound apart, so a mix-up is heard.", voice.Name, format, 1.0), format, voice.Name);
            measured.Add((voice, PitchAnalysis.MedianPitch(DecodeSamples(path, format, 12000), 12000)));
        }

        _output.WriteLine(string.Join(", ", measured.Select(m => FormattableString.Invariant($"{m.Voice.Name} {m.Pitch:0} Hz"))));
        foreach ((OfflineVoice voice, double pitch) in measured)
        {
            Assert.True(Math.Abs(pitch - voice.PitchHz) <= voice.PitchHz * tolerance, $"{voice} sounds at {pitch:0} Hz in {format}, not within {tolerance:P0} of its {voice.PitchHz} Hz");
        }

        if (synthesized)
        {
            for (int i = 1; i < measured.Count; i++)
            {
                // From deep to high, each at least 3% above the one before: distinct to the ear.
                Assert.True(measured[i].Pitch > measured[i - 1].Pitch * 1.03, $"{measured[i].Voice} ({measured[i].Pitch:0} Hz) is not clearly above {measured[i - 1].Voice} ({measured[i - 1].Pitch:0} Hz) in {format}");
            }
        }
    }

    [FfmpegTheory]
    [MemberData(nameof(Formats))]
    public void ChunksOfALongTextJoinIntoOneValidFile(AudioFormat format)
    {
        string text = SampleText.English(3000, seed: 12);
        IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text, 500);
        Assert.True(chunks.Count >= 6, $"only {chunks.Count} chunks");
        var paths = new List<string>();
        double sum = 0, expected = 0;
        foreach (TextChunk chunk in chunks)
        {
            string path = Save(OfflineSpeech.Synthesize(chunk.RequestText, "ballad", format, 1.0), format, "chunk" + chunk.Index);
            paths.Add(path);
            sum += AudioInspector.Inspect(format, path, new AudioJoinOptions()).Duration.TotalSeconds;
            expected += chunk.RequestText.Length / 15.0; // the chunks are long: no minimum applies
        }

        string joined = Path.Combine(_folder, "joined" + format.ToExtension());
        AudioInfo info;
        using (FileStream destination = File.Create(joined))
        {
            info = AudioJoiner.Join(format, paths, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        double frame = format switch { AudioFormat.Mp3 => 576 / 24000.0, AudioFormat.Aac => 1024 / 24000.0, AudioFormat.Opus => 0.020, _ => 0.0001 };
        double inspected = AudioInspector.Inspect(format, joined, new AudioJoinOptions()).Duration.TotalSeconds;
        double probed = Probe(joined, format).Duration;
        _output.WriteLine($"{format}: {chunks.Count} chunks, parts {sum:0.000} s, joined {info.Duration.TotalSeconds:0.000} s, inspected {inspected:0.000} s, ffprobe {probed:0.000} s, rule {expected:0.000} s");

        Assert.Equal(string.Empty, DecodeErrors(joined, format));
        Assert.InRange(info.Duration.TotalSeconds, sum - (frame * chunks.Count), sum + (frame * chunks.Count));
        Assert.InRange(inspected, sum - (frame * chunks.Count), sum + (frame * chunks.Count));
        Assert.InRange(probed, expected * 0.9, expected * 1.1);
    }

    [Fact]
    public void VoicesAreTheOpenAICatalogueFoundWhateverTheCase()
    {
        Assert.Equal(VoiceCatalog.BuiltIn.Select(v => v.Name).OrderBy(n => n, StringComparer.Ordinal), OfflineVoices.All.Select(v => v.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(OfflineVoices.All.Count, OfflineVoices.All.Select(v => v.PitchHz).Distinct().Count());
        Assert.True(OfflineVoices.TryGet(" NoVa ", out OfflineVoice nova));
        Assert.Equal("nova", nova.Name);
    }

    [Theory]
    [InlineData("robot")]
    [InlineData("")]
    [InlineData(null)]
    public void AnUnknownVoiceIsRefused(string? name)
    {
        Assert.False(OfflineVoices.TryGet(name, out _));
        ArgumentException error = Assert.Throws<ArgumentException>(() => OfflineSpeech.Synthesize(Sentence, name!, AudioFormat.Mp3, 1.0));
        Assert.Equal("voice", error.ParamName);
    }

    [Theory]
    [InlineData(0.24)]
    [InlineData(4.01)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ASpeedOutsideAQuarterToFourIsRefused(double speed)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => OfflineSpeech.Synthesize(Sentence, "ash", AudioFormat.Wav, speed));
        Assert.Equal("speed", error.ParamName);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(4.0)]
    public void TheSpeedBoundsThemselvesAreAccepted(double speed)
    {
        string text = string.Concat(Enumerable.Repeat(Sentence, 2));
        string path = Save(OfflineSpeech.Synthesize(text, "ash", AudioFormat.Wav, speed), AudioFormat.Wav);

        double seconds = AudioInspector.Inspect(AudioFormat.Wav, path, new AudioJoinOptions()).Duration.TotalSeconds;

        Assert.Equal(text.Length / 15.0 / speed, seconds, 3);
    }

    [Theory]
    [InlineData(22050)]
    [InlineData(16000)]
    public void PcmComesAtTheRateAskedFor(int rate)
    {
        byte[] pcm = OfflineSpeech.Synthesize(Sentence, "verse", AudioFormat.Pcm, 1.0, rate);

        Assert.Equal(Math.Round(Sentence.Length / 15.0 * rate) * 2, pcm.Length);
    }

    private const string StoredDigest = "41CCCC5588738A7411D2172CD715CE93D8CDA80170AC437E30902DFC0D2B2CDD";

    private static string ExpectedCodec(AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => "mp3",
        AudioFormat.Opus => "opus",
        AudioFormat.Aac => "aac",
        AudioFormat.Flac => "flac",
        AudioFormat.Wav => "pcm_s16le",
        _ => "pcm_s16le",
    };

    private string Save(byte[] body, AudioFormat format, string name = "speech")
    {
        string path = Path.Combine(_folder, name + format.ToExtension());
        File.WriteAllBytes(path, body);
        return path;
    }

    private static string[] InputFormat(AudioFormat format) =>
        format == AudioFormat.Pcm ? new[] { "-f", "s16le", "-ar", "24000", "-ac", "1" } : Array.Empty<string>();

    /// <summary>ffprobe's view of a file; pcm is read as s16le 24 kHz mono, as OpenAI documents it.</summary>
    private static (string Codec, int SampleRate, int Channels, double Duration, string Errors) Probe(string path, AudioFormat format)
    {
        string[] arguments = new[] { "-v", "error" }.Concat(InputFormat(format))
            .Concat(new[] { "-show_entries", "format=duration:stream=codec_name,sample_rate,channels", "-of", "default=noprint_wrappers=1", path }).ToArray();
        (int exit, string stdout, string stderr) = Ffmpeg.Run(Ffmpeg.FfprobePath!, arguments);
        Assert.True(exit == 0, $"ffprobe rejected {path}: {stderr}");
        Dictionary<string, string> fields = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split('=', 2)).Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        return (fields["codec_name"], int.Parse(fields["sample_rate"], CultureInfo.InvariantCulture), int.Parse(fields["channels"], CultureInfo.InvariantCulture),
            double.Parse(fields["duration"], CultureInfo.InvariantCulture), stderr.Trim());
    }

    private static string DecodeErrors(string path, AudioFormat format)
    {
        string[] arguments = new[] { "-nostdin", "-v", "error" }.Concat(InputFormat(format)).Concat(new[] { "-i", path, "-f", "null", "-" }).ToArray();
        (int exit, _, string stderr) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, arguments);
        return exit == 0 ? stderr.Trim() : $"exit {exit}: {stderr.Trim()}";
    }

    private static short[] DecodeSamples(string path, AudioFormat format, int rate = 24000)
    {
        string raw = path + ".raw";
        string[] arguments = new[] { "-nostdin", "-v", "error" }.Concat(InputFormat(format))
            .Concat(new[] { "-i", path, "-f", "s16le", "-ac", "1", "-ar", rate.ToString(CultureInfo.InvariantCulture), raw }).ToArray();
        (int exit, _, string stderr) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, arguments);
        Assert.True(exit == 0 && stderr.Trim().Length == 0, $"ffmpeg did not decode {path} cleanly: {stderr}");
        byte[] bytes = File.ReadAllBytes(raw);
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        return samples;
    }
}
