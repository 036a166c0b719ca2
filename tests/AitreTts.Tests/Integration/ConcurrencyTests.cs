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
    public async Task EightTasksTimesTwentyDocuments_OfTheSameText_AllCompleteWithWholeFiles()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        string[] paths = await RunEightTimesTwentyAsync(harness);

        Assert.Equal(160, paths.Length);
        Assert.Equal(160, harness.SpeechRequests().Count);
        Assert.All(harness.FileNames(), n => Assert.Matches("^platform-four-the-evening-train-to-[0-9a-f]{8}(-[0-9]+)?\\.mp3$", n));
        harness.AssertNoTemporaryFiles();

        // The same text gives the same audio: each file must be exactly what the emulator sent, not a mix of two writers.
        byte[][] sent = harness.SpeechRequests().Select(r => r.ResponseBody!).ToArray();
        Assert.All(sent, body => Assert.Equal(sent[0], body)); // the premise: one answer for one text
        byte[] reference = sent[0];
        foreach (string path in paths.Distinct(StringComparer.Ordinal))
        {
            Assert.Equal(reference, await File.ReadAllBytesAsync(path));
        }

    }

    [SkippableFact]
    public async Task EightTasksTimesTwentyDocuments_GiveFilesFfmpegDecodesCleanly()
    {
        Skip.If(Ffmpeg.FfmpegPath is null, "ffmpeg is not installed, so the files cannot be decoded independently.");
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        string[] paths = await RunEightTimesTwentyAsync(harness);

        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(paths[0]));
    }

    [Fact]
    public async Task EightTasksTimesTwentyDocuments_OfTheSameText_ShareOneFileInsteadOfNumberedCopies()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        string[] paths = await RunEightTimesTwentyAsync(harness);

        // Byte-identical audio under a taken generated name is that file: no writer replaces another, and no
        // numbered copy of the same audio is made.
        Assert.Single(paths.Distinct(StringComparer.Ordinal));
        Assert.Single(harness.FileNames());
        Assert.Equal(Path.GetFileName(paths[0]), harness.FileNames()[0]);
    }

    private static async Task<string[]> RunEightTimesTwentyAsync(IntegrationHarness harness)
    {
        var options = new SpeechOptions();
        DocumentSynthesizer synthesizer = harness.Synthesizer();
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
        return paths.ToArray();
    }
}
