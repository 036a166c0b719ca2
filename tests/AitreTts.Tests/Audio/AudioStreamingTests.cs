using System;
using System.IO;
using System.Threading;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Tests.Support;
using Xunit.Abstractions;

namespace AitreTts.Tests.Audio;

/// <summary>Documents can reach hundreds of megabytes: joining must stream, not buffer.</summary>
// GC.GetTotalMemory counts the whole process: run alone, or another test's allocations land in this one's figures.
[Collection(HeapMeasurements.Name)]
public sealed class AudioStreamingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aitretts-stream-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public AudioStreamingTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [FfmpegFact]
    public void FiftyMegabytesOfWavJoinThroughANonSeekableStreamWithoutGrowingTheHeap()
    {
        const int chunkBytes = 17 * 1024 * 1024;
        var chunks = new string[3];
        var block = new byte[1 << 20];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i * 7);
        }

        for (int c = 0; c < chunks.Length; c++)
        {
            chunks[c] = Path.Combine(_directory, $"chunk{c}.wav");
            using var file = File.Create(chunks[c]);
            byte[] header = AudioSamples.StreamedWavHeader(24000);
            file.Write(header, 0, header.Length);
            for (int written = 0; written < chunkBytes; written += block.Length)
            {
                file.Write(block, 0, block.Length);
            }
        }

        string joined = Path.Combine(_directory, "joined.wav");
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        AudioInfo info;
        using (var file = File.Create(joined))
        {
            var destination = new NonSeekableStream(file) { OnWrite = () => peak = Math.Max(peak, GC.GetTotalMemory(false)) };
            info = AudioJoiner.Join(AudioFormat.Wav, chunks, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        long total = 3L * chunkBytes;
        _output.WriteLine($"joined {total / 1048576} MiB: heap peak +{(peak - before) / 1024} KiB, after +{(after - before) / 1024} KiB");
        Assert.Equal(44 + total, new FileInfo(joined).Length);

        // Garbage from the bounded buffers may pile up between collections; a buffered join would hold 51 MB.
        Assert.InRange(peak - before, long.MinValue, 12L * 1024 * 1024);
        Assert.InRange(after - before, long.MinValue, 2L * 1024 * 1024);
        Assert.Equal(total / 2.0 / 24000, Ffmpeg.Probe(joined).DurationSeconds, 4);
        Assert.Equal(total / 2.0 / 24000, info.Duration.TotalSeconds, 6);
    }
}

/// <summary>Tests that measure the process's heap: xunit runs them after the others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurements
{
    public const string Name = "heap measurements";
}
