using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>
/// The containers the emulator rebuilds (Ogg, MP3 with an Info frame) checked field by field, with checksums
/// recomputed here independently, and by ffmpeg with its CRC checks switched on.
/// </summary>
public sealed class ContainerStructureTests
{
    private static readonly string LongInput = string.Concat(Enumerable.Repeat("Words that outlast the fixture clip. ", 4));

    [FfmpegTheory]
    [InlineData("opus")]
    [InlineData("flac")]
    [InlineData("mp3")]
    [InlineData("aac")]
    public async Task StrictDecode_WithCrcChecksOn_ReportsNothing(string format)
    {
        byte[] audio = await FetchAsync(format);
        using var file = new TempFile(format, audio);

        (int exit, _, string stderr) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, "-nostdin", "-v", "warning", "-err_detect", "crccheck+bitstream+buffer", "-i", file.Path, "-f", "null", "-");
        string[] complaints = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.Contains("Estimating duration from bitrate", StringComparison.Ordinal)) // raw ADTS has no length field
            .ToArray();

        Assert.Equal(0, exit);
        Assert.Empty(complaints);
    }

    [Fact]
    public async Task Opus_IsOneOggStreamWithContinuousPagesAndValidCrcs()
    {
        byte[] ogg = await FetchAsync("opus");

        var pages = new List<(byte Flags, long Granule, uint Serial, uint Sequence, byte[] FirstBytes)>();
        int pos = 0;
        while (pos < ogg.Length)
        {
            Assert.Equal("OggS", System.Text.Encoding.ASCII.GetString(ogg, pos, 4));
            int segments = ogg[pos + 26];
            int length = 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                length += ogg[pos + 27 + i];
            }

            byte[] page = ogg.AsSpan(pos, length).ToArray();
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(22));
            page[22] = page[23] = page[24] = page[25] = 0;
            Assert.Equal(stored, OggCrc(page));
            pages.Add((page[5], BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(6)), BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(14)), BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(18)), page.AsSpan(27 + segments, 8).ToArray()));
            pos += length;
        }

        Assert.True(pages.Count > 4);
        Assert.Equal("OpusHead", System.Text.Encoding.ASCII.GetString(pages[0].FirstBytes));
        Assert.Equal("OpusTags", System.Text.Encoding.ASCII.GetString(pages[1].FirstBytes));
        Assert.Equal(2, pages[0].Flags);
        Assert.Equal(4, pages[^1].Flags);
        Assert.All(pages.Skip(1).SkipLast(1), p => Assert.Equal(0, p.Flags));
        Assert.Single(pages.Select(p => p.Serial).Distinct());
        Assert.Equal(Enumerable.Range(0, pages.Count).Select(i => (uint)i), pages.Select(p => p.Sequence));
        long[] granules = pages.Skip(2).Select(p => p.Granule).ToArray();
        Assert.True(granules.Zip(granules.Skip(1)).All(g => g.Second > g.First));
        Assert.InRange(granules[^1] / 48000.0, LongInput.Length * 0.06, (LongInput.Length * 0.06) + 0.1);
    }

    [FfmpegFact]
    public async Task Mp3_InfoFrameCountsTheFramesThatFollow()
    {
        byte[] mp3 = await FetchAsync("mp3");

        Assert.Equal("ID3", System.Text.Encoding.ASCII.GetString(mp3, 0, 3));
        int pos = 10 + ((mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9]);
        int infoFrame = pos;
        var lengths = new List<int>();
        while (pos < mp3.Length)
        {
            Assert.Equal(0xFF, mp3[pos]);
            int bitrate = new[] { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 }[mp3[pos + 2] >> 4] * 1000;
            int length = (72 * bitrate / 24000) + ((mp3[pos + 2] >> 1) & 1); // MPEG-2 Layer III at 24 kHz
            lengths.Add(length);
            pos += length;
        }

        Assert.Equal(mp3.Length, pos);
        Assert.Equal("Info", System.Text.Encoding.ASCII.GetString(mp3, infoFrame + 4 + 9, 4));
        Assert.Equal((uint)(lengths.Count - 1), BinaryPrimitives.ReadUInt32BigEndian(mp3.AsSpan(infoFrame + 4 + 9 + 8)));
        Assert.Equal((uint)(mp3.Length - infoFrame), BinaryPrimitives.ReadUInt32BigEndian(mp3.AsSpan(infoFrame + 4 + 9 + 12)));

        // ffprobe takes the duration from the Info frame; it must agree with what decoding really yields.
        using var file = new TempFile("mp3", mp3);
        Assert.InRange(Ffmpeg.Probe(file.Path).DurationSeconds - Ffmpeg.DecodedSeconds(file.Path), -0.1, 0.1);
    }

    private static async Task<byte[]> FetchAsync(string format)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(LongInput, format: format));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Ogg's CRC-32 written bit by bit, independently of the emulator's table version.</summary>
    private static uint OggCrc(byte[] data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc ^= (uint)b << 24;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}
