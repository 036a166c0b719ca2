using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Offline;
using AitreTts.Core.Output;
using AitreTts.Core.Synthesis;
using Xunit;

namespace AitreTts.Tests.Synthesis;

/// <summary>
/// A source may keep a chunk (the chunk cache) after it has handed over the audio: the document waits for that
/// before it is done, so a call returns with its chunks stored, and a fault in storing neither passes unseen nor hides
/// the document's own failure.
/// </summary>
public sealed class StoredChunksTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aitretts-stored-" + Guid.NewGuid().ToString("N"));

    public StoredChunksTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ADocumentThatWouldSucceed_FailsWithTheFaultOfStoringItsChunk()
    {
        // Whenever the store faults, before or after the rest of the document is done, the document sees it: it waited.
        var source = new StoringSource(index => Task.Run(async () =>
        {
            await Task.Yield();
            throw new InvalidDataException("store " + index);
        }));

        InvalidDataException fault = await Assert.ThrowsAsync<InvalidDataException>(() => SynthesizeAsync(source, "One short line.", "one.mp3"));

        Assert.Equal("store 0", fault.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "one.mp3")));
    }

    [Fact]
    public async Task AFailedDocument_ReportsItsOwnFailure_NotTheFaultOfStoringAnEarlierChunk()
    {
        var source = new StoringSource(index => Task.FromException(new InvalidDataException("store " + index))) { FailAt = 1 };

        TtsException failure = await Assert.ThrowsAsync<TtsException>(() => SynthesizeAsync(source, TwoChunks(), "two.mp3"));

        Assert.Equal(TtsErrorIds.ServerError, failure.ErrorId);
        Assert.False(File.Exists(Path.Combine(_directory, "two.mp3")));
    }

    [Fact]
    public async Task AFailedDocument_HasStoredItsFinishedChunks_WhenItReportsTheFailure()
    {
        var stored = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new StoringSource(_ => stored.Task) { FailAt = 1 };

        Task document = SynthesizeAsync(source, TwoChunks(), "two.mp3");
        await source.Failed.Task;
        // The failing chunk has failed; the document still waits for the first chunk to be stored.
        Assert.False(document.IsCompleted);
        stored.SetResult(true);

        await Assert.ThrowsAsync<TtsException>(() => document);
    }

    private static string TwoChunks() => string.Join(" ", Enumerable.Repeat("A sentence of the long document goes on here.", 120));

    private Task<DocumentResult> SynthesizeAsync(ISpeechSource source, string text, string fileName) =>
        new DocumentSynthesizer(source).SynthesizeAsync(text, new SpeechOptions { ThrottleLimit = 1 }, OutputTarget.ForUserPath(Path.Combine(_directory, fileName), noClobber: false, force: false), null, CancellationToken.None);

    // The offline provider's audio, with a store of the test's making after each chunk; chunk FailAt fails as a server error.
    private sealed class StoringSource : ISpeechSource
    {
        private readonly OfflineSpeechSource _audio = new(24000);
        private readonly Func<int, Task> _store;
        private int _calls;

        public StoringSource(Func<int, Task> store) => _store = store;

        public int FailAt { get; init; } = -1;

        public TaskCompletionSource<bool> Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<SpeechResponse> SynthesizeAsync(SpeechRequest request, Stream destination, CancellationToken cancellationToken)
        {
            int index = Interlocked.Increment(ref _calls) - 1;
            if (index == FailAt)
            {
                Failed.SetResult(true);
                throw new TtsException(TtsErrorIds.ServerError, TtsErrorCategory.ConnectionError, "The server failed this chunk.");
            }

            SpeechResponse response = await _audio.SynthesizeAsync(request, destination, cancellationToken);
            return response with { Stored = _store(index) };
        }
    }
}
