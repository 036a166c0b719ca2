using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using AitreTts.Core;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Audio;

/// <summary>
/// Test inputs, generated at run time with ffmpeg (or by hand for the API's own quirks) into one temp
/// directory, once per test class, and deleted afterwards.
/// </summary>
public sealed class AudioSamples : IDisposable
{
    /// <summary>Unequal chunk lengths, as a splitter produces them.</summary>
    public static readonly double[] ChunkSeconds = { 0.7, 1.3, 2.1 };

    private readonly ConcurrentDictionary<string, string> _made = new();

    public AudioSamples()
    {
        Directory = Path.Combine(Path.GetTempPath(), "aitretts-audio-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>Every variant a three-chunk join is tested with.</summary>
    public static IEnumerable<object[]> Variants() => new[]
    {
        new object[] { "mp3-cbr" }, new object[] { "mp3-vbr" }, new object[] { "mp3-tagged" }, new object[] { "aac" },
        new object[] { "opus" }, new object[] { "flac" }, new object[] { "flac-odd" }, new object[] { "wav" },
        new object[] { "wav-openai" }, new object[] { "wav-extensible" }, new object[] { "pcm" },
    };

    internal static AudioFormat FormatOf(string variant) => variant.Split('-')[0] switch
    {
        "mp3" => AudioFormat.Mp3,
        "aac" => AudioFormat.Aac,
        "opus" => AudioFormat.Opus,
        "flac" => AudioFormat.Flac,
        "wav" => AudioFormat.Wav,
        _ => AudioFormat.Pcm,
    };

    /// <summary>The chunk files of a variant, one per entry of <see cref="ChunkSeconds"/>.</summary>
    public IReadOnlyList<string> Chunks(string variant, int sampleRate = 24000, int channels = 1)
    {
        var paths = new List<string>();
        for (int i = 0; i < ChunkSeconds.Length; i++)
        {
            paths.Add(Make(variant, ChunkSeconds[i], 300 + (110 * i), sampleRate, channels));
        }

        return paths;
    }

    /// <summary>One chunk: a sine of <paramref name="frequency"/> Hz lasting <paramref name="seconds"/>.</summary>
    public string Make(string variant, double seconds, int frequency, int sampleRate = 24000, int channels = 1)
    {
        string key = string.Join("_", variant, seconds.ToString(CultureInfo.InvariantCulture), frequency, sampleRate, channels);
        return _made.GetOrAdd(key, _ => Generate(variant, seconds, frequency, sampleRate, channels, Path.Combine(Directory, key)));
    }

    public string NewPath(string extension) => Path.Combine(Directory, Guid.NewGuid().ToString("N") + extension);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Raw 16-bit little-endian mono samples of a sine, computed here (no ffmpeg needed).</summary>
    public static byte[] SinePcm(double seconds, int frequency, int sampleRate)
    {
        int count = (int)Math.Round(seconds * sampleRate);
        var data = new byte[count * 2];
        for (int i = 0; i < count; i++)
        {
            short value = (short)(Math.Sin(2 * Math.PI * frequency * i / sampleRate) * 12000);
            data[2 * i] = (byte)value;
            data[(2 * i) + 1] = (byte)(value >> 8);
        }

        return data;
    }

    /// <summary>A WAV header as OpenAI streams it: RIFF and data sizes are the placeholder 0xFFFFFFFF.</summary>
    public static byte[] StreamedWavHeader(int sampleRate, bool extensible = false)
    {
        var header = new List<byte>();
        void Ascii(string s) => header.AddRange(System.Text.Encoding.ASCII.GetBytes(s));
        void U32(uint v) => header.AddRange(BitConverter.GetBytes(v));
        void U16(ushort v) => header.AddRange(BitConverter.GetBytes(v));
        Ascii("RIFF");
        U32(0xFFFFFFFF);
        Ascii("WAVE");
        Ascii("fmt ");
        U32(extensible ? 40u : 16u);
        U16(extensible ? (ushort)0xFFFE : (ushort)1);
        U16(1);
        U32((uint)sampleRate);
        U32((uint)sampleRate * 2);
        U16(2);
        U16(16);
        if (extensible)
        {
            U16(22);         // cbSize
            U16(16);         // valid bits
            U32(4);          // channel mask: front centre
            header.AddRange(new byte[] { 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71 }); // KSDATAFORMAT_SUBTYPE_PCM
            Ascii("fact");
            U32(4);
            U32(0);
        }

        Ascii("data");
        U32(0xFFFFFFFF);
        return header.ToArray();
    }

    private static string Generate(string variant, double seconds, int frequency, int sampleRate, int channels, string basePath)
    {
        string duration = seconds.ToString(CultureInfo.InvariantCulture);
        string source = $"sine=frequency={frequency}:duration={duration}:sample_rate={sampleRate}";
        var common = new List<string> { "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-ac", channels.ToString(CultureInfo.InvariantCulture) };
        string path;
        switch (variant)
        {
            case "mp3-cbr":
                path = basePath + ".mp3";
                Ffmpeg(common, "-c:a", "libmp3lame", "-b:a", "64k", path);
                break;
            case "mp3-vbr":
                path = basePath + ".mp3";
                Ffmpeg(common, "-c:a", "libmp3lame", "-q:a", "4", path);
                break;
            case "mp3-noxing":
                path = basePath + ".mp3";
                Ffmpeg(common, "-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0", path);
                break;
            case "mp3-tagged":
                // ID3v2 at the front (ffmpeg's default), ID3v1 at the end, and an APEv2 tag before the ID3v1.
                path = basePath + ".mp3";
                string plain = basePath + ".plain.mp3";
                Ffmpeg(common, "-c:a", "libmp3lame", "-q:a", "4", "-metadata", "title=Chunk", "-write_id3v1", "1", plain);
                byte[] bytes = File.ReadAllBytes(plain);
                int split = bytes.Length - 128;
                using (var file = File.Create(path))
                {
                    file.Write(bytes, 0, split);
                    byte[] ape = ApeTag();
                    file.Write(ape, 0, ape.Length);
                    file.Write(bytes, split, 128);
                }

                break;
            case "aac":
                path = basePath + ".aac";
                Ffmpeg(common, "-c:a", "aac", "-b:a", "48k", "-f", "adts", path);
                break;
            case "opus":
                path = basePath + ".opus";
                Ffmpeg(common, "-c:a", "libopus", "-b:a", "32k", path);
                break;
            case "flac":
                path = basePath + ".flac";
                Ffmpeg(common, "-c:a", "flac", path);
                break;
            case "flac-odd":
                // An odd block size: coded "16 bits from the end of the header" in every frame.
                path = basePath + ".flac";
                Ffmpeg(common, "-c:a", "flac", "-frame_size", "1001", path);
                break;
            case "wav":
                path = basePath + ".wav";
                Ffmpeg(common, "-c:a", "pcm_s16le", path);
                break;
            case "wav-openai":
            case "wav-extensible":
                path = basePath + ".wav";
                using (var file = File.Create(path))
                {
                    byte[] header = StreamedWavHeader(sampleRate, variant == "wav-extensible");
                    file.Write(header, 0, header.Length);
                    byte[] samples = SinePcm(seconds, frequency, sampleRate);
                    file.Write(samples, 0, samples.Length);
                }

                break;
            case "pcm":
                path = basePath + ".pcm";
                File.WriteAllBytes(path, SinePcm(seconds, frequency, sampleRate));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, null);
        }

        return path;
    }

    private static byte[] ApeTag()
    {
        // APEv2: header, one item ("Title" = "x"), footer; the tag size counts item and footer.
        var item = new List<byte>();
        item.AddRange(BitConverter.GetBytes(1u));
        item.AddRange(BitConverter.GetBytes(0u));
        item.AddRange(System.Text.Encoding.ASCII.GetBytes("Title\0x"));
        byte[] Block(bool isHeader)
        {
            var b = new List<byte>();
            b.AddRange(System.Text.Encoding.ASCII.GetBytes("APETAGEX"));
            b.AddRange(BitConverter.GetBytes(2000u));
            b.AddRange(BitConverter.GetBytes((uint)(item.Count + 32)));
            b.AddRange(BitConverter.GetBytes(1u));
            b.AddRange(BitConverter.GetBytes(0x80000000u | (isHeader ? 0x20000000u : 0u)));
            b.AddRange(new byte[8]);
            return b.ToArray();
        }

        var tag = new List<byte>();
        tag.AddRange(Block(true));
        tag.AddRange(item);
        tag.AddRange(Block(false));
        return tag.ToArray();
    }

    private static void Ffmpeg(List<string> common, params string[] rest)
    {
        var args = new List<string>(common);
        args.AddRange(rest);
        (int exit, _, string stderr) = Support.Ffmpeg.Run(Support.Ffmpeg.FfmpegPath!, args.ToArray());
        if (exit != 0)
        {
            throw new InvalidOperationException("ffmpeg could not make a test input: " + stderr);
        }
    }
}
