using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Security;
using AitreTts.Core.Synthesis;
using TtsEmulator;

namespace AitreTts.Bench;

/// <summary>
/// Case 9: 200 one-line documents, all started at once under one -ThrottleLimit of 4 as the cmdlet runs a batch,
/// against the emulator's account limit (a bucket of 10 refilled at 600 a minute, OpenAI's x-ratelimit headers,
/// 429 with Retry-After past it). The baseline is the limit's floor: the first 20 at once, then one per refill.
/// </summary>
internal static class RateLimitCase
{
    private const int Documents = 200;
    private const int PerMinute = 600;
    private const int Burst = 10;
    private const double TargetRatio = 1.15;
    private const double TargetRejected = 0.05;

    public static async Task<ResultRow> RunAsync(string workRoot)
    {
        double floor = (Documents - Burst) / (PerMinute / 60.0);
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { AccountRequestsPerMinute = PerMinute, AccountBurst = Burst }).ConfigureAwait(false);
        SpeechOptions options = Product.Options(AudioFormat.Mp3, throttleLimit: 4);
        TtsEndpoint endpoint = TtsEndpoint.Create(server.BaseUrl.AbsoluteUri, SecretText.ToSecureString(Product.ApiKey));
        // The cmdlet's defaults: 2 retries, the default bound on waiting, one shared set of request slots per call.
        var synthesizer = new DocumentSynthesizer(new SpeechClient(endpoint, new RetryPolicy(2), TimeSpan.FromSeconds(100)), null, new RequestSlots(options.ThrottleLimit));
        string directory = Path.Combine(workRoot, "case9-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string[] texts = Enumerable.Range(0, Documents).Select(i => Corpus.Line(i) + " (" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")").ToArray();

        var watch = Stopwatch.StartNew();
        DocumentResult[] results = await Task.WhenAll(texts.Select(text =>
        {
            string hash = OutputNaming.ShortHash(text, options.Model, options.Voice, options.FileFormat, options.Speed, options.Instructions);
            var target = new OutputTarget(directory, attempt => OutputNaming.Candidate(null, text, hash, options.FileFormat, attempt), OutputMode.Unique, false);
            target.Prepare(createDirectory: true);
            return synthesizer.SynthesizeAsync(text, options, target, null, CancellationToken.None);
        })).ConfigureAwait(false);
        watch.Stop();

        int files = Directory.GetFiles(directory, "*.mp3").Length;
        var requests = server.Requests.Where(r => r.Path == "/v1/audio/speech").ToArray();
        int rejected = requests.Count(r => r.StatusCode == 429);
        double share = requests.Length == 0 ? 1 : rejected / (double)requests.Length;
        double ratio = watch.Elapsed.TotalSeconds / floor;
        Directory.Delete(directory, recursive: true);
        return new ResultRow(
            "9 200 documents at an account limit",
            Stats.Seconds(watch.Elapsed.TotalSeconds) + $", {share:P1} rejected",
            "floor " + Stats.Seconds(floor),
            ratio,
            $"<= {TargetRatio:0.00}, <= {TargetRejected:P0} rejected",
            ratio <= TargetRatio && share <= TargetRejected && files == Documents && results.Length == Documents,
            new[]
            {
                $"emulated account: a bucket of {Burst} refilled at {PerMinute} a minute; floor = ({Documents} - {Burst}) / {PerMinute / 60} per s = {Stats.Seconds(floor)}",
                $"{results.Length} documents, {files} files; {requests.Length} requests, {rejected} answered 429 ({share:P1})",
            });
    }
}
