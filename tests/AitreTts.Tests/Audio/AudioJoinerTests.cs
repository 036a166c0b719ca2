using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;
using AitreTts.Tests.Support;
using Xunit.Abstractions;

namespace AitreTts.Tests.Audio;

/// <summary>Joins chunks of every format and lets ffprobe/ffmpeg judge the result.</summary>
public sealed class AudioJoinerTests : IClassFixture<AudioSamples>
{
    private readonly AudioSamples _samples;
    private readonly ITestOutputHelper _output;

    public AudioJoinerTests(AudioSamples samples, ITestOutputHelper output)
    {
        _samples = samples;
        _output = output;
    }

    /// <summary>One frame of each format at 24 kHz: the tolerance of every duration comparison.</summary>
    private static double FrameSeconds(string variant) => AudioSamples.FormatOf(variant) switch
    {
        AudioFormat.Mp3 => 576 / 24000.0,
        AudioFormat.Aac => 1024 / 24000.0,
        AudioFormat.Opus => 0.020,
        _ => 0.0005, // flac, wav, pcm: exact, up to rounding of the printed value
    };

    /// <summary>The ffmpeg input format to force for headerless pcm.</summary>
    private static string[] PcmInput(int rate) => new[] { "-f", "s16le", "-ar", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-ac", "1" };

    [FfmpegTheory]
    [MemberData(nameof(AudioSamples.Variants), MemberType = typeof(AudioSamples))]
    public void ThreeUnequalChunksJoinIntoOneValidFile(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        IReadOnlyList<string> chunks = _samples.Chunks(variant);
        var options = new AudioJoinOptions { WrapPcmAsWav = false };
        string joined = _samples.NewPath(format.ToExtension());
        AudioInfo info;
        using (var destination = File.Create(joined))
        {
            info = AudioJoiner.Join(format, chunks, destination, options, CancellationToken.None);
        }

        double frame = FrameSeconds(variant);
        Assert.Equal(string.Empty, DecodeErrors(joined, format));

        // The reference: what the parts last on their own. MP3 and ADTS keep every inner encoder delay and
        // padding (see Mp3Codec/AdtsCodec), so for them the parts' frame durations are what a join can match.
        double partsDecoded = chunks.Sum(c => Decoded(c, format));
        double joinedDecoded = Decoded(joined, format);
        double reference, measured;
        if (format == AudioFormat.Mp3)
        {
            // ffmpeg 5.1 looks for an APEv2 tag only at the very end of a file, so it takes one placed before
            // ID3v1 (where tag writers put it) for audio; judge the tagged parts by their copies without it.
            reference = chunks.Sum(c => Ffmpeg.Probe(variant == "mp3-tagged" ? c.Replace(".mp3", ".plain.mp3") : c).DurationSeconds);
            measured = Ffmpeg.Probe(joined).DurationSeconds;
        }
        else if (format == AudioFormat.Aac)
        {
            // ffprobe only estimates ADTS durations from the bitrate; decoding counts the frames.
            reference = partsDecoded;
            measured = joinedDecoded;
        }
        else
        {
            reference = partsDecoded;
            measured = format == AudioFormat.Pcm ? joinedDecoded : Ffmpeg.Probe(joined).DurationSeconds;
        }

        AudioInfo inspected = AudioInspector.Inspect(format, joined, options);
        double judge = format == AudioFormat.Aac || format == AudioFormat.Pcm ? joinedDecoded : Ffmpeg.Probe(joined).DurationSeconds;
        _output.WriteLine($"{variant}: parts {reference:0.000000} s, joined {measured:0.000000} s (deviation {(measured - reference) * 1000:0.00} ms); decoded parts {partsDecoded:0.000000}, joined {joinedDecoded:0.000000} ({(joinedDecoded - partsDecoded) * 1000:0.00} ms); inspector {inspected.Duration.TotalSeconds:0.000000} vs judge {judge:0.000000}");

        Assert.InRange(measured, reference - frame, reference + frame);
        Assert.InRange(inspected.Duration.TotalSeconds, judge - frame, judge + frame);
        Assert.Equal(new FileInfo(joined).Length, info.Bytes);
        Assert.Equal(inspected.Bytes, info.Bytes);
        Assert.Equal(inspected.Duration, info.Duration);
        Assert.Equal(format, info.Format);
        Assert.Equal(1, info.Channels);
        Assert.Equal(format == AudioFormat.Opus ? 48000 : 24000, info.SampleRate);
        if (format != AudioFormat.Pcm)
        {
            Ffmpeg.ProbeResult probe = Ffmpeg.Probe(joined);
            Assert.Equal(info.SampleRate, probe.SampleRate);
            Assert.Equal(info.Channels, probe.Channels);
        }
    }

    [FfmpegTheory]
    [MemberData(nameof(AudioSamples.Variants), MemberType = typeof(AudioSamples))]
    public void OneChunkIsNormalizedAndKeepsItsDuration(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        string chunk = _samples.Chunks(variant)[1];
        string joined = _samples.NewPath(format.ToExtension());
        using (var destination = File.Create(joined))
        {
            AudioJoiner.Join(format, new[] { chunk }, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        Assert.Equal(string.Empty, DecodeErrors(joined, format));
        double frame = FrameSeconds(variant);
        Assert.InRange(Decoded(joined, format), Decoded(chunk, format) - frame, Decoded(chunk, format) + frame);
    }

    [FfmpegFact]
    public void StreamedWavWithPlaceholderSizesIsRepaired()
    {
        // The API streams the header before it knows the length: both sizes are 0xFFFFFFFF.
        byte[] samples = AudioSamples.SinePcm(1.5, 440, 24000);
        string chunk = _samples.NewPath(".wav");
        File.WriteAllBytes(chunk, AudioSamples.StreamedWavHeader(24000).Concat(samples).ToArray());
        string joined = _samples.NewPath(".wav");
        using (var destination = File.Create(joined))
        {
            AudioJoiner.Join(AudioFormat.Wav, new[] { chunk }, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        byte[] output = File.ReadAllBytes(joined);
        Assert.Equal(44 + samples.Length, output.Length);
        Assert.Equal((uint)(output.Length - 8), BitConverter.ToUInt32(output, 4));
        Assert.Equal("data", System.Text.Encoding.ASCII.GetString(output, 36, 4));
        Assert.Equal((uint)samples.Length, BitConverter.ToUInt32(output, 40));
        Assert.Equal(samples, output.Skip(44).ToArray());
        Assert.Equal(1.5, Ffmpeg.Probe(joined).DurationSeconds, 6);
        Assert.Equal(TimeSpan.FromSeconds(1.5), AudioInspector.Inspect(AudioFormat.Wav, joined, new AudioJoinOptions()).Duration);
    }

    [FfmpegTheory]
    [InlineData(24000)]
    [InlineData(22050)]
    public void PcmIsWrappedAsWavAtTheConfiguredRate(int rate)
    {
        var chunks = new List<string>();
        long total = 0;
        foreach (double seconds in AudioSamples.ChunkSeconds)
        {
            byte[] pcm = AudioSamples.SinePcm(seconds, 440, rate);
            total += pcm.Length;
            string path = _samples.NewPath(".pcm");
            File.WriteAllBytes(path, pcm);
            chunks.Add(path);
        }

        string joined = _samples.NewPath(".wav");
        var options = new AudioJoinOptions { PcmSampleRate = rate, WrapPcmAsWav = true };
        AudioInfo info;
        using (var destination = File.Create(joined))
        {
            info = AudioJoiner.Join(AudioFormat.Pcm, chunks, destination, options, CancellationToken.None);
        }

        Assert.Equal(AudioFormat.Wav, info.Format);
        Assert.Equal(44 + total, new FileInfo(joined).Length);
        Ffmpeg.ProbeResult probe = Ffmpeg.Probe(joined);
        Assert.Equal("pcm_s16le", probe.CodecName);
        Assert.Equal(rate, probe.SampleRate);
        Assert.Equal(1, probe.Channels);
        double expected = total / 2.0 / rate;
        Assert.Equal(expected, probe.DurationSeconds, 5);
        Assert.Equal(expected, info.Duration.TotalSeconds, 6);
        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(joined));
    }

    [FfmpegTheory]
    [InlineData("wav")]
    [InlineData("mp3-cbr")]
    [InlineData("aac")]
    [InlineData("flac")]
    public void MismatchedSampleRatesFail(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        string[] chunks = { _samples.Make(variant, 0.5, 440, 24000), _samples.Make(variant, 0.5, 440, 22050) };
        AssertJoinFails(format, chunks, "chunk 2");
    }

    [FfmpegFact]
    public void MismatchedOpusChannelsFail()
    {
        string[] chunks = { _samples.Make("opus", 0.5, 440, 24000, 1), _samples.Make("opus", 0.5, 440, 24000, 2) };
        AssertJoinFails(AudioFormat.Opus, chunks, "chunk 2");
    }

    [FfmpegTheory]
    [InlineData("mp3-cbr")]
    [InlineData("mp3-vbr")]
    [InlineData("aac")]
    [InlineData("opus")]
    [InlineData("flac")]
    [InlineData("wav")]
    [InlineData("pcm")]
    public void TruncatedChunkFails(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        IReadOnlyList<string> chunks = _samples.Chunks(variant);
        byte[] bytes = File.ReadAllBytes(chunks[1]);

        // Cut inside a frame/page: 60 % of the file, made odd for pcm; wav loses its header.
        int keep = format switch
        {
            AudioFormat.Wav => 30,
            AudioFormat.Pcm => (bytes.Length * 6 / 10) | 1,
            _ => bytes.Length * 6 / 10,
        };
        string truncated = _samples.NewPath(format.ToExtension());
        File.WriteAllBytes(truncated, bytes.Take(keep).ToArray());
        AssertJoinFails(format, new[] { chunks[0], truncated, chunks[2] }, "chunk 2");
    }

    [FfmpegTheory]
    [InlineData("mp3-cbr")]
    [InlineData("aac")]
    [InlineData("opus")]
    [InlineData("flac")]
    [InlineData("wav")]
    public void GarbageChunkFails(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        IReadOnlyList<string> chunks = _samples.Chunks(variant);
        var garbage = new byte[20000];
        new Random(7).NextBytes(garbage);
        string bad = _samples.NewPath(format.ToExtension());
        File.WriteAllBytes(bad, garbage);
        AssertJoinFails(format, new[] { chunks[0], chunks[1], bad }, "chunk 3");
    }

    [FfmpegTheory]
    [InlineData("opus")]
    [InlineData("flac")]
    public void CorruptedByteInsideAFrameFails(string variant)
    {
        // A flipped bit inside an Ogg page or a FLAC frame breaks its CRC: refuse rather than write it on.
        AudioFormat format = AudioSamples.FormatOf(variant);
        IReadOnlyList<string> chunks = _samples.Chunks(variant);
        byte[] bytes = File.ReadAllBytes(chunks[2]);
        bytes[bytes.Length / 2] ^= 0x10;
        string bad = _samples.NewPath(format.ToExtension());
        File.WriteAllBytes(bad, bytes);
        AssertJoinFails(format, new[] { chunks[0], chunks[1], bad }, "chunk 3");
    }

    [FfmpegFact]
    public void GarbageBetweenMp3FramesIsSkipped()
    {
        IReadOnlyList<string> chunks = _samples.Chunks("mp3-cbr");
        byte[] bytes = File.ReadAllBytes(chunks[1]);
        var frames = Mp3Walk.FrameOffsets(bytes);
        int cut = frames[frames.Count / 2];
        var junk = new byte[300];
        new Random(3).NextBytes(junk);
        junk[0] = 0xFF; // a false sync right away
        string dirty = _samples.NewPath(".mp3");
        File.WriteAllBytes(dirty, bytes.Take(cut).Concat(junk).Concat(bytes.Skip(cut)).ToArray());

        string joined = _samples.NewPath(".mp3");
        using (var destination = File.Create(joined))
        {
            AudioJoiner.Join(AudioFormat.Mp3, new[] { chunks[0], dirty, chunks[2] }, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(joined));
        string clean = _samples.NewPath(".mp3");
        using (var destination = File.Create(clean))
        {
            AudioJoiner.Join(AudioFormat.Mp3, chunks, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        Assert.Equal(File.ReadAllBytes(clean), File.ReadAllBytes(joined));
    }

    [FfmpegFact]
    public void Mp3TagsOfEveryChunkAreDropped()
    {
        IReadOnlyList<string> chunks = _samples.Chunks("mp3-tagged");
        foreach (string chunk in chunks)
        {
            byte[] input = File.ReadAllBytes(chunk);
            Assert.Equal("ID3", System.Text.Encoding.ASCII.GetString(input, 0, 3));
            Assert.Equal("TAG", System.Text.Encoding.ASCII.GetString(input, input.Length - 128, 3));
        }

        string joined = _samples.NewPath(".mp3");
        using (var destination = File.Create(joined))
        {
            AudioJoiner.Join(AudioFormat.Mp3, chunks, destination, new AudioJoinOptions(), CancellationToken.None);
        }

        byte[] output = File.ReadAllBytes(joined);

        // Frame after frame from the first byte to the last: nothing between frames, nothing after them.
        List<int> offsets = Mp3Walk.FrameOffsets(output);
        Assert.Equal(output.Length, Mp3Walk.EndOfFrames(output));
        foreach (int offset in offsets.Concat(new[] { output.Length - 128 }).Where(o => o >= 0))
        {
            string at = System.Text.Encoding.ASCII.GetString(output, offset, 3);
            Assert.NotEqual("ID3", at);
            Assert.NotEqual("TAG", at);
            Assert.NotEqual("APE", at);
        }

        Assert.DoesNotContain("APETAGEX", System.Text.Encoding.ASCII.GetString(output));
        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(joined));

        // Exactly one Info/Xing frame, the first, with the joined frame count.
        Assert.Single(offsets, o => Mp3Walk.IsInfoFrame(output, o));
        Assert.True(Mp3Walk.IsInfoFrame(output, 0));
        Assert.Equal((uint)(offsets.Count - 1), Mp3Walk.InfoFrameCount(output));
    }

    [FfmpegTheory]
    [InlineData("mp3-cbr")]
    [InlineData("mp3-vbr")]
    public void Mp3GaplessInfoDescribesTheJoinedFile(string variant)
    {
        // Players trim the first chunk's encoder delay at the start and the last chunk's padding at the end.
        IReadOnlyList<string> chunks = _samples.Chunks(variant);
        string joined = JoinToFile(variant, AudioFormat.Mp3);
        (int delay, _) = Mp3Walk.LameDelayPadding(File.ReadAllBytes(chunks[0]));
        (_, int padding) = Mp3Walk.LameDelayPadding(File.ReadAllBytes(chunks[^1]));
        Assert.Equal((delay, padding), Mp3Walk.LameDelayPadding(File.ReadAllBytes(joined)));
        double expected = Ffmpeg.Probe(joined).DurationSeconds - ((delay + padding) / 24000.0);
        Assert.Equal(expected, Ffmpeg.DecodedSeconds(joined), 4);
    }

    [FfmpegFact]
    public void Mp3WithoutInfoFramesGetsOneSoTheVbrDurationIsExact()
    {
        // Without an Info/Xing frame ffprobe can only guess a VBR file's duration from its first bitrate.
        IReadOnlyList<string> chunks = _samples.Chunks("mp3-noxing");
        Assert.False(Mp3Walk.IsInfoFrame(File.ReadAllBytes(chunks[0]), Mp3Walk.Start(File.ReadAllBytes(chunks[0]))));
        string joined = JoinToFile("mp3-noxing", AudioFormat.Mp3);
        byte[] output = File.ReadAllBytes(joined);
        Assert.True(Mp3Walk.IsInfoFrame(output, 0));
        int audioFrames = Mp3Walk.FrameOffsets(output).Count - 1;
        Assert.Equal((uint)audioFrames, Mp3Walk.InfoFrameCount(output));
        Assert.Equal(output.Length, Mp3Walk.EndOfFrames(output));
        Assert.Equal(audioFrames * 576 / 24000.0, Ffmpeg.Probe(joined).DurationSeconds, 4);
        Assert.Equal(string.Empty, Ffmpeg.DecodeErrors(joined));
        Assert.Equal(audioFrames * 576 / 24000.0, AudioInspector.Inspect(AudioFormat.Mp3, joined, new AudioJoinOptions()).Duration.TotalSeconds, 4);
    }

    [FfmpegFact]
    public void OggPagesOfTheJoinedOpusAreOneValidStream()
    {
        string joined = JoinToFile("opus", AudioFormat.Opus);
        List<OggCheck.Page> pages = OggCheck.Pages(File.ReadAllBytes(joined));
        Assert.All(pages, p => Assert.True(p.CrcValid, $"page {p.Sequence} fails its CRC"));
        Assert.Single(pages.Select(p => p.Serial).Distinct());
        Assert.Equal(Enumerable.Range(0, pages.Count).Select(i => (uint)i), pages.Select(p => p.Sequence));
        Assert.True(pages[0].Bos);
        Assert.All(pages.Skip(1), p => Assert.False(p.Bos));
        Assert.True(pages[^1].Eos);
        Assert.All(pages.Take(pages.Count - 1), p => Assert.False(p.Eos));
        Assert.Equal(0, pages[0].Granule);
        Assert.Equal(0, pages[1].Granule);
        long previous = 0;
        foreach (OggCheck.Page page in pages.Skip(2))
        {
            Assert.True(page.Granule >= previous, "granule positions must not go back");
            Assert.InRange(page.BodyLength, 1, 8192);
            previous = page.Granule;
        }

        Assert.Contains(pages.Skip(2).Take(pages.Count - 3), p => p.BodyLength >= 4096 || pages.Count <= 4);
    }

    [FfmpegTheory]
    [InlineData("flac")]
    [InlineData("flac-odd")]
    public void FlacFramesOfTheJoinedFileVerify(string variant)
    {
        string joined = JoinToFile(variant, AudioFormat.Flac);
        byte[] output = File.ReadAllBytes(joined);

        // Frame boundaries from ffprobe (independent of our parser); every header and footer CRC from a bitwise checker.
        List<(long Pos, int Size)> packets = FlacCheck.PacketsFromFfprobe(joined);
        Assert.NotEmpty(packets);
        long expectedSample = 0;
        foreach ((long pos, int size) in packets)
        {
            FlacCheck.Frame frame = FlacCheck.Read(output, (int)pos, size);
            Assert.True(frame.HeaderCrcValid, $"CRC-8 of the frame at {pos}");
            Assert.True(frame.FrameCrcValid, $"CRC-16 of the frame at {pos}");
            Assert.True(frame.VariableBlockSize, $"blocking strategy of the frame at {pos}");
            Assert.Equal(expectedSample, frame.Number);
            expectedSample += frame.BlockSize;
        }

        Assert.Equal(expectedSample, FlacCheck.StreamInfoTotalSamples(output));
        Assert.Equal(output.Length, packets[^1].Pos + packets[^1].Size);
    }

    [FfmpegFact]
    public void CancelledTokenStopsTheJoin()
    {
        IReadOnlyList<string> chunks = _samples.Chunks("wav");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            AudioJoiner.Join(AudioFormat.Wav, chunks, new MemoryStream(), new AudioJoinOptions(), cancelled.Token));
    }

    [Theory]
    [InlineData(AudioFormat.Wav)]
    [InlineData(AudioFormat.Pcm)]
    public void CancellingDuringTheCopyStopsBetweenBuffers(object formatValue)
    {
        var format = (AudioFormat)formatValue;
        // Big enough for several buffers; the destination cancels after its first write.
        string chunk = _samples.NewPath(format.ToExtension());
        byte[] pcm = new byte[1_000_000];
        File.WriteAllBytes(chunk, format == AudioFormat.Wav ? AudioSamples.StreamedWavHeader(24000).Concat(pcm).ToArray() : pcm);
        using var cts = new CancellationTokenSource();
        var destination = new NonSeekableStream(Stream.Null) { OnWrite = cts.Cancel };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            AudioJoiner.Join(format, new[] { chunk, chunk, chunk }, destination, new AudioJoinOptions(), cts.Token));
        Assert.InRange(destination.Written, 1, 3 * 81920);
    }

    private string JoinToFile(string variant, AudioFormat format)
    {
        string joined = _samples.NewPath(format.ToExtension());
        using var destination = File.Create(joined);
        AudioJoiner.Join(format, _samples.Chunks(variant), destination, new AudioJoinOptions(), CancellationToken.None);
        return joined;
    }

    private void AssertJoinFails(AudioFormat format, IReadOnlyList<string> chunks, string namedChunk)
    {
        var destination = new MemoryStream();
        TtsException error = Assert.Throws<TtsException>(() =>
            AudioJoiner.Join(format, chunks, destination, new AudioJoinOptions(), CancellationToken.None));
        _output.WriteLine(error.Message);
        Assert.Equal(TtsErrorIds.AudioJoinFailed, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
        Assert.Contains(namedChunk, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, destination.Length); // nothing written: no corrupt output
    }

    private static string DecodeErrors(string path, AudioFormat format) =>
        format == AudioFormat.Pcm ? Ffmpeg.Run(Ffmpeg.FfmpegPath!, new[] { "-nostdin", "-v", "error" }.Concat(PcmInput(24000)).Concat(new[] { "-i", path, "-f", "null", "-" }).ToArray()).StdErr.Trim() : Ffmpeg.DecodeErrors(path);

    private static double Decoded(string path, AudioFormat format) =>
        format == AudioFormat.Pcm ? new FileInfo(path).Length / 2.0 / 24000 : Ffmpeg.DecodedSeconds(path);
}
