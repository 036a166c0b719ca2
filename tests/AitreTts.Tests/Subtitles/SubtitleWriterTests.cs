using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AitreTts.Core.Subtitles;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Subtitles;

public sealed class SubtitleWriterTests : IDisposable
{
    private static readonly SubtitleCue[] TwoCues =
    {
        new(TimeSpan.FromMilliseconds(0), TimeSpan.FromMilliseconds(1500.4), "Platform four."),
        new(TimeSpan.FromTicks(15_005_000), new TimeSpan(1, 2, 3) + TimeSpan.FromMilliseconds(45), "Mind the gap & <the> doors --> now."),
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aitretts-subtitles-" + Guid.NewGuid().ToString("N"));

    public SubtitleWriterTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SrtIsNumberedCuesWithCommaMilliseconds()
    {
        Assert.Equal(
            "1\n00:00:00,000 --> 00:00:01,500\nPlatform four.\n\n2\n00:00:01,501 --> 01:02:03,045\nMind the gap & <\u2060the> doors -> now.\n",
            SubtitleWriter.Format(SubtitleFormat.Srt, TwoCues));
    }

    [Fact]
    public void VttStartsWithItsHeaderAndEscapesMarkup()
    {
        Assert.Equal(
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nPlatform four.\n\n00:00:01.501 --> 01:02:03.045\nMind the gap &amp; &lt;the&gt; doors --&gt; now.\n",
            SubtitleWriter.Format(SubtitleFormat.Vtt, TwoCues));
    }

    /// <summary>A text line holding "-->" is, to SRT and WebVTT parsers, the timing line of a new cue.</summary>
    [Theory]
    [InlineData("Srt", "a --> b", "a -> b")]
    [InlineData("Srt", "a ---> b -->", "a -> b ->")]
    [InlineData("Srt", "x----->y", "x->y")]
    [InlineData("Vtt", "a ---> b -->", "a ---&gt; b --&gt;")]
    public void NoCueTextHoldsTheTimingArrow(string formatName, string text, string written)
    {
        var format = Enum.Parse<SubtitleFormat>(formatName);
        string file = SubtitleWriter.Format(format, new[] { new SubtitleCue(TimeSpan.Zero, TimeSpan.FromSeconds(1), text) });

        string[] lines = file.Split('\n');
        Assert.Single(lines, line => line.Contains("-->"));
        Assert.Equal(written, lines[format == SubtitleFormat.Srt ? 2 : 3]);
    }

    [Fact]
    public void TimesNeverOverlapOrRunBackwards()
    {
        var cues = new[]
        {
            new SubtitleCue(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), "a"),
            new SubtitleCue(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), "b"), // overlaps a
            new SubtitleCue(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), "c"), // ends before it starts
        };

        Assert.Equal(
            "1\n00:00:01,000 --> 00:00:03,000\na\n\n2\n00:00:03,000 --> 00:00:04,000\nb\n\n3\n00:00:06,000 --> 00:00:06,000\nc\n",
            SubtitleWriter.Format(SubtitleFormat.Srt, cues));
    }

    [Theory]
    [InlineData("Short enough for one line.", "Short enough for one line.")]
    [InlineData("Please let the passengers leave the train before you board the carriages.", "Please let the passengers leave the|train before you board the carriages.")]
    [InlineData("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("Line\nbreaks\r\n\r\nin the text never end the cue.", "Line breaks in the text never end the cue.")]
    [InlineData("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa and the rest", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|and the rest")] // a word longer than a line gets its own
    [InlineData("我们今天去公园散步我们今天去公园散步我们今天去公园散步我们今天去公园散步我们今天去公园散步", "我们今天去公园散步我们今天去公园散步我们今天|去公园散步我们今天去公园散步我们今天去公园散步")] // no spaces: between characters
    public void LongCuesWrapIntoTwoBalancedLines(string text, string expected)
    {
        IReadOnlyList<string> lines = SubtitleLines.Wrap(text);

        Assert.Equal(expected.Split('|'), lines);
    }

    [Fact]
    public void WrappedLinesFitWhenASpaceAllows()
    {
        string sentence = string.Join(" ", Enumerable.Range(0, 400).Select(i => new string('w', 1 + (i * 7 % 11))));
        foreach (SubtitleCueText cue in SubtitleCueSplitter.Split(sentence))
        {
            IReadOnlyList<string> lines = SubtitleLines.Wrap(cue.Text);
            Assert.InRange(lines.Count, 1, 2);
            Assert.All(lines, line => Assert.InRange(line.Length, 1, SubtitleLines.MaximumLineCharacters));
            Assert.Equal(cue.Text, string.Join(" ", lines));
        }
    }

    [Theory]
    [InlineData("Srt")]
    [InlineData("Vtt")]
    public void FilesAreUtf8WithoutByteOrderMark(string formatName)
    {
        var format = Enum.Parse<SubtitleFormat>(formatName);
        using var destination = new MemoryStream();
        SubtitleWriter.Write(format, new[] { new SubtitleCue(TimeSpan.Zero, TimeSpan.FromSeconds(1), "Zürich 你好") }, destination);

        byte[] bytes = destination.ToArray();
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Contains("Zürich 你好", new System.Text.UTF8Encoding(false, true).GetString(bytes));
        Assert.Equal(format == SubtitleFormat.Srt ? ".srt" : ".vtt", SubtitleWriter.ExtensionOf(format));
    }

    /// <summary>ffmpeg reads both formats without a word of complaint, and finds every cue with its text and times.</summary>
    [FfmpegTheory]
    [InlineData("Srt")]
    [InlineData("Vtt")]
    public void FfmpegReadsEveryCue(string formatName)
    {
        var format = Enum.Parse<SubtitleFormat>(formatName);
        const string announcement = "Attention please. The 10:45 service to Zürich & Basel will leave from platform 4, not platform 7, "
            + "because of engineering works between the two stations this weekend; we apologise for the delay.\n\n"
            + "旅客の皆様にお知らせします。次の列車は十分遅れて到着します！\n\nThank you <for> travelling with us.";
        IReadOnlyList<SubtitleCueText> texts = SubtitleCueSplitter.Split(announcement);
        var cues = texts.Select((cue, i) => new SubtitleCue(TimeSpan.FromMilliseconds(1234.5 * i), TimeSpan.FromMilliseconds((1234.5 * i) + 1000), cue.Text)).ToList();
        string path = Path.Combine(_directory, "cues" + SubtitleWriter.ExtensionOf(format));
        using (var file = File.Create(path))
        {
            SubtitleWriter.Write(format, cues, file);
        }

        (int exit, string srt, string errors) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, "-nostdin", "-v", "warning", "-i", path, "-f", "srt", "-");
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, errors.Trim());
        string[] timings = srt.Split('\n').Where(line => line.Contains(" --> ")).Select(line => line.Trim()).ToArray();
        Assert.Equal(cues.Count, timings.Length);
        Assert.Equal("00:00:01,235 --> 00:00:02,235", timings[1]);
        foreach (SubtitleCueText text in texts)
        {
            Assert.Contains(text.Text.Split(' ')[0], srt);
        }

        // What looks like markup is text, and survives the reading.
        Assert.Contains(format == SubtitleFormat.Srt ? "<\u2060for>" : "<for>", srt);

        (exit, _, errors) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, "-nostdin", "-v", "warning", "-y", "-i", path, Path.Combine(_directory, "cues.ass"));
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, errors.Trim());
    }
}
