using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Synthesis;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Integration;

/// <summary>
/// Many writers of the same document into one directory, as parallel runspaces running one script would be:
/// generated names must never replace one another, and every file must be whole.
/// </summary>
public sealed class ConcurrencyTests
{
    private const string Text = "Platform four: the evening train to the coast is now boarding.";

    [Fact]
    public async Task EightTasksTimesTwentyDocuments_OfTheSameText_GiveOneHundredSixtyDistinctWholeFiles()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        var options = new SpeechOptions();
        DocumentSynthesizer synthesizer = harness.Synthesizer();
        byte[] reference = await ReferenceBytesAsync(harness);
        harness.Server.ClearRequests();
        var paths = new ConcurrentBag<string>();

        Task[] workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                DocumentResult result = await harness.SynthesizeAsync(synthesizer, Text, options, harness.GeneratedTarget(Text, options));
                paths.Add(result.Path);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(160, paths.Count);
        Assert.Equal(160, paths.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(160, harness.SpeechRequests().Count);
        string[] names = harness.FileNames();
        Assert.Equal(160, names.Length);
        Assert.Equal(names, paths.Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(names, n => Assert.Matches("^platform-four-the-evening-train-to-[0-9a-f]{8}(-[0-9]+)?\\.mp3$", n));
        harness.AssertNoTemporaryFiles();

        // The same text gives the same audio: each file must be exactly that, not a mix of two writers.
        foreach (string path in paths)
        {
            Assert.Equal(reference, await File.ReadAllBytesAsync(path));
        }

        if (Ffmpeg.FfmpegPath is not null)
        {
            Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(paths.First()));
        }
    }

    private static async Task<byte[]> ReferenceBytesAsync(IntegrationHarness harness)
    {
        using var destination = new MemoryStream();
        await harness.Client().SynthesizeAsync(new SpeechRequest("tts-1", Text, "alloy", AudioFormat.Mp3), destination, CancellationToken.None);
        return destination.ToArray();
    }
}
