using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Security;
using AitreTts.Core.Synthesis;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// One emulator on loopback, one private output directory, and the real core objects wired the way the cmdlet wires
/// them: <see cref="SpeechClient"/> over real HTTP, <see cref="DocumentSynthesizer"/>, <see cref="OutputTarget"/>.
/// </summary>
internal sealed class IntegrationHarness : IAsyncDisposable
{
    /// <summary>Distinctive enough that finding it anywhere in a message is a leak, not a coincidence.</summary>
    public const string Key = "tk-integration-Q7vX2mK9pL4wR8tZ3nB6";

    private IntegrationHarness(EmulatorServer server, string directory)
    {
        Server = server;
        Directory = directory;
    }

    public EmulatorServer Server { get; }

    public string Directory { get; }

    public static async Task<IntegrationHarness> StartAsync(EmulatorOptions? options = null)
    {
        EmulatorServer server = await EmulatorServer.StartAsync(options ?? new EmulatorOptions { RequiredApiKey = Key });
        string directory = Path.Combine(Path.GetTempPath(), "aitretts-int-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new IntegrationHarness(server, directory);
    }

    /// <summary>Retries with no waiting of our own (a wait the server asks for is still obeyed).</summary>
    public static RetryPolicy FastRetries(int maximumRetryCount = 2) => new(maximumRetryCount, TimeSpan.Zero);

    public SpeechClient Client(RetryPolicy? retry = null, TimeSpan? timeout = null, TtsLog? log = null, string? key = Key)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(Server.BaseUrl.ToString(), key is null ? null : SecretText.ToSecureString(key));
        return new SpeechClient(endpoint, retry ?? FastRetries(), timeout ?? TimeSpan.FromSeconds(30), log);
    }

    public DocumentSynthesizer Synthesizer(RetryPolicy? retry = null, TimeSpan? timeout = null, TtsLog? log = null, string? key = Key)
        => new(Client(retry, timeout, log, key), log);

    /// <summary>A name the user gave: replaced when it exists, as -OutFile does.</summary>
    public OutputTarget UserTarget(string fileName) => OutputTarget.ForUserPath(Path.Combine(Directory, fileName), noClobber: false, force: false);

    /// <summary>A generated name, exactly as Invoke-TextToSpeech's CreateTarget builds it for pipeline text.</summary>
    public OutputTarget GeneratedTarget(string text, SpeechOptions options)
    {
        string hash = OutputNaming.ShortHash(text, options.Model, options.Voice, options.FileFormat, options.Speed, options.Instructions);
        AudioFormat fileFormat = options.FileFormat;
        return new OutputTarget(Directory, attempt => OutputNaming.Candidate(null, text, hash, fileFormat, attempt), OutputMode.Unique, force: false);
    }

    public Task<DocumentResult> SynthesizeAsync(DocumentSynthesizer synthesizer, string text, SpeechOptions options, OutputTarget target, CancellationToken cancellationToken = default)
    {
        target.Prepare(createDirectory: false);
        return synthesizer.SynthesizeAsync(text, options, target, progress: null, cancellationToken);
    }

    /// <summary>Every file in the output directory, hidden temporary ones included, by name.</summary>
    public string[] FileNames() => System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>The directory holds nothing at all: no target, no *.partial.</summary>
    public void AssertEmpty() => Assert.Empty(FileNames());

    public void AssertNoTemporaryFiles() => Assert.DoesNotContain(FileNames(), n => n.EndsWith(".partial", StringComparison.Ordinal) || n.StartsWith('.'));

    public IReadOnlyList<RecordedRequest> SpeechRequests() => Server.Requests.Where(r => r.Path == "/v1/audio/speech").ToArray();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Texts long enough to need several requests, with markers placed where a test needs them.</summary>
internal static class LongText
{
    private static readonly string[] Sentences =
    {
        "The evening train to the coast leaves from platform four at a quarter past six.",
        "Passengers with bicycles are asked to use the front carriage, which has more room.",
        "Refreshments are served in the middle of the train until the last station.",
        "Please keep your ticket until you have passed the barrier at your destination.",
        "Announcements are repeated in the waiting room and on the upper concourse.",
        "Lost property can be collected at the office beside the main entrance.",
    };

    /// <summary>
    /// About <paramref name="length"/> characters of plain sentences; <paramref name="marker"/>, when given, is put
    /// once, as its own sentence, near <paramref name="markerAt"/>.
    /// </summary>
    public static string Build(int length, string? marker = null, int markerAt = 0)
    {
        var text = new StringBuilder(length + 200);
        bool placed = marker is null;
        int i = 0;
        while (text.Length < length)
        {
            if (!placed && text.Length >= markerAt)
            {
                text.Append("Attention ").Append(marker).Append(" please. ");
                placed = true;
            }

            text.Append(Sentences[i % Sentences.Length]).Append(' ');
            i++;
        }

        return text.ToString().TrimEnd();
    }
}

/// <summary>ffprobe and ffmpeg with the raw-pcm flags the shared helper does not take.</summary>
internal static class IndependentAudio
{
    public static readonly string[] PcmInput = { "-f", "s16le", "-ar", "24000", "-ac", "1" };

    /// <summary>ffprobe's duration of a file, in seconds; raw pcm is described to it as 16-bit mono 24 kHz.</summary>
    public static double ProbeSeconds(string path, bool rawPcm)
    {
        if (!rawPcm)
        {
            Ffmpeg.ProbeResult probe = Ffmpeg.Probe(path);
            Assert.True(probe.Errors.Trim().Length == 0, "ffprobe complained: " + probe.Errors);
            return probe.DurationSeconds;
        }

        var args = new List<string> { "-v", "error" };
        args.AddRange(PcmInput);
        args.AddRange(new[] { "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path });
        (int exit, string stdout, string stderr) = Ffmpeg.Run(Ffmpeg.FfprobePath!, args.ToArray());
        Assert.True(exit == 0 && stderr.Trim().Length == 0, $"ffprobe rejected {path} (exit {exit}): {stderr}");
        return double.Parse(stdout.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The file's duration as ffmpeg sees it: ffprobe's, except for aac, where ffprobe only estimates the duration of
    /// an ADTS stream from its bit rate, so the file is decoded and its samples counted.
    /// </summary>
    public static double MeasureSeconds(string path, AudioFormat fileFormat) =>
        fileFormat == AudioFormat.Aac ? Ffmpeg.DecodedSeconds(path) : ProbeSeconds(path, fileFormat == AudioFormat.Pcm);

    /// <summary>ffmpeg's error output from decoding the whole file: empty for a clean file.</summary>
    public static string DecodeErrors(string path, bool rawPcm)
    {
        if (!rawPcm)
        {
            return Ffmpeg.DecodeErrors(path);
        }

        var args = new List<string> { "-nostdin", "-v", "error" };
        args.AddRange(PcmInput);
        args.AddRange(new[] { "-i", path, "-f", "null", "-" });
        (int exit, _, string stderr) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, args.ToArray());
        return exit == 0 ? stderr.Trim() : $"exit {exit}: {stderr.Trim()}";
    }

    /// <summary>The length of one frame (or, for flac, one block) of the emulator's audio in each format, in seconds.</summary>
    public static double FrameSeconds(AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => 1152.0 / 24000,
        AudioFormat.Aac => 1024.0 / 24000,
        AudioFormat.Opus => 0.020,
        AudioFormat.Flac => 4096.0 / 24000,
        _ => 1.0 / 24000,
    };
}
