using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace AitreTts.Core.Subtitles;

/// <summary>The subtitle file formats written beside the audio.</summary>
internal enum SubtitleFormat
{
    /// <summary>SubRip: numbered cues, <c>HH:MM:SS,mmm</c>.</summary>
    Srt,

    /// <summary>WebVTT: the <c>WEBVTT</c> header, <c>HH:MM:SS.mmm</c>.</summary>
    Vtt,
}

/// <summary>One cue: what is shown, and when.</summary>
internal readonly struct SubtitleCue
{
    public SubtitleCue(TimeSpan start, TimeSpan end, string text)
    {
        Start = start;
        End = end;
        Text = text;
    }

    public TimeSpan Start { get; }

    public TimeSpan End { get; }

    public string Text { get; }
}

/// <summary>Writes SRT and WebVTT files: UTF-8 without a byte order mark, "\n" line ends.</summary>
/// <remarks>
/// Times are rounded to the millisecond the same way everywhere (half up), which keeps their order; a cue that
/// would start before the previous one ends starts where it ends, and one that would end before it starts ends
/// where it starts, so the cues are monotonic and never overlap whatever the caller passes. A cue longer than one
/// line is wrapped into two by <see cref="SubtitleLines.Wrap"/>.
/// </remarks>
internal static class SubtitleWriter
{
    private const string SrtArrow = "-->";

    private static readonly Encoding Utf8WithoutBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The file extension of <paramref name="format"/>, with its dot.</summary>
    internal static string ExtensionOf(SubtitleFormat format) => format switch
    {
        SubtitleFormat.Srt => ".srt",
        SubtitleFormat.Vtt => ".vtt",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Writes the cues to <paramref name="destination"/>, which is flushed, not closed.</summary>
    internal static void Write(SubtitleFormat format, IReadOnlyList<SubtitleCue> cues, Stream destination)
    {
        if (destination is null)
        {
            throw new ArgumentNullException(nameof(destination));
        }

        byte[] bytes = Utf8WithoutBom.GetBytes(Format(format, cues));
        destination.Write(bytes, 0, bytes.Length);
        destination.Flush();
    }

    /// <summary>The whole file as text.</summary>
    internal static string Format(SubtitleFormat format, IReadOnlyList<SubtitleCue> cues)
    {
        if (cues is null)
        {
            throw new ArgumentNullException(nameof(cues));
        }

        if (format != SubtitleFormat.Srt && format != SubtitleFormat.Vtt)
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }

        var output = new StringBuilder();
        if (format == SubtitleFormat.Vtt)
        {
            output.Append("WEBVTT\n");
        }

        long previousEnd = 0;
        for (int i = 0; i < cues.Count; i++)
        {
            long start = Math.Max(Milliseconds(cues[i].Start), previousEnd);
            long end = Math.Max(Milliseconds(cues[i].End), start);
            previousEnd = end;
            if (format == SubtitleFormat.Srt)
            {
                if (i > 0)
                {
                    output.Append('\n');
                }

                output.Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            else
            {
                output.Append('\n');
            }

            char separator = format == SubtitleFormat.Srt ? ',' : '.';
            AppendTime(output, start, separator).Append(" --> ");
            AppendTime(output, end, separator).Append('\n');
            foreach (string line in SubtitleLines.Wrap(cues[i].Text ?? string.Empty))
            {
                output.Append(format == SubtitleFormat.Vtt ? EscapeVtt(line) : EscapeSrt(line)).Append('\n');
            }
        }

        return output.ToString();
    }

    private static long Milliseconds(TimeSpan time) =>
        time.Ticks <= 0 ? 0 : (time.Ticks + (TimeSpan.TicksPerMillisecond / 2)) / TimeSpan.TicksPerMillisecond;

    private static StringBuilder AppendTime(StringBuilder output, long milliseconds, char separator)
    {
        long hours = milliseconds / 3_600_000;
        int minutes = (int)(milliseconds / 60_000 % 60);
        int seconds = (int)(milliseconds / 1000 % 60);
        int millis = (int)(milliseconds % 1000);
        return output.Append(hours.ToString("00", CultureInfo.InvariantCulture)).Append(':')
            .Append(minutes.ToString("00", CultureInfo.InvariantCulture)).Append(':')
            .Append(seconds.ToString("00", CultureInfo.InvariantCulture)).Append(separator)
            .Append(millis.ToString("000", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// SubRip has no escapes, and players (and ffmpeg) take "&lt;x&gt;" for an HTML tag and drop it from the text: an
    /// invisible WORD JOINER after each &lt; keeps it text. "--&gt;" is the timing line's arrow, and parsers take a
    /// text line holding it for the start of a new cue: it is written "-&gt;", until none is left ("---&gt;" too).
    /// </summary>
    private static string EscapeSrt(string line)
    {
        while (line.Contains(SrtArrow))
        {
            line = line.Replace(SrtArrow, "->");
        }

        return line.Replace("<", "<\u2060");
    }

    /// <summary>WebVTT cue text treats &amp; and &lt; as markup, and "--&gt;" ends a cue's settings: write them as entities.</summary>
    private static string EscapeVtt(string line) => line.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
