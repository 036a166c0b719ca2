using System;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Security;
using AitreTts.Core.Synthesis;

namespace AitreTts.Bench;

/// <summary>Drives the product the way Invoke-TextToSpeech does for a document without -OutFile.</summary>
internal static class Product
{
    public const string ApiKey = "tk-bench-0000000000000000";
    public const string Model = "tts-1";
    public const string Voice = "alloy";

    public static DocumentSynthesizer Synthesizer(Uri baseUrl) => new(Client(baseUrl));

    public static SpeechClient Client(Uri baseUrl)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(baseUrl.AbsoluteUri, SecretText.ToSecureString(ApiKey));
        return new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(100));
    }

    public static SpeechOptions Options(AudioFormat format, int throttleLimit) => new()
    {
        Model = Model,
        Voice = Voice,
        Format = format,
        ThrottleLimit = throttleLimit,
    };

    /// <summary>The generated name the cmdlet would use, such as <c>notice-1-the-station-...-1a2b3c4d.mp3</c>.</summary>
    public static string FileName(string text, SpeechOptions options) =>
        OutputNaming.Candidate(null, text, Hash(text, options), options.FileFormat, 0);

    public static Task<DocumentResult> SynthesizeAsync(DocumentSynthesizer synthesizer, string text, SpeechOptions options, string directory)
    {
        string hash = Hash(text, options);
        AudioFormat fileFormat = options.FileFormat;
        var target = new OutputTarget(directory, attempt => OutputNaming.Candidate(null, text, hash, fileFormat, attempt), OutputMode.Unique, false);
        target.Prepare(createDirectory: true);
        return synthesizer.SynthesizeAsync(text, options, target, null, CancellationToken.None);
    }

    private static string Hash(string text, SpeechOptions options) =>
        OutputNaming.ShortHash(text, options.Model, options.Voice, options.FileFormat, options.Speed, options.Instructions);
}
