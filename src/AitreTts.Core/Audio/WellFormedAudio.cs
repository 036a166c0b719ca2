using System;
using System.IO;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Audio;

/// <summary>
/// Whether a chunk is well-formed audio of its format: the one question asked of every server's answer before it is
/// written anywhere (the speech client asks it, cache or not) and of every cache entry before it is served. It asks
/// the codecs the join asks (<see cref="AudioCodec.For"/>), so a body that would fail the join fails as the server's
/// answer, never later as a temporary file.
/// </summary>
internal static class WellFormedAudio
{
    /// <summary>
    /// What is wrong with the audio just written to <paramref name="audio"/> (null when it is well-formed), and when
    /// nothing is, what the codec measured in it with the default <see cref="AudioJoinOptions"/>: the check reads the
    /// whole chunk, so whoever keeps the chunk as it is need not read it again. Read from the chunk's own file when
    /// there is one (there always is in a document), otherwise from a private scratch copy, since the codecs read files.
    /// </summary>
    internal static (string? Problem, AudioInfo? Measured) Check(AudioFormat format, Stream audio)
    {
        if (audio is FileStream file)
        {
            file.Flush();
            return CheckFile(format, file.Name, StartOf(file));
        }

        string scratch = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(scratch, ReadBack(audio));
            return CheckFile(format, scratch, StartOf(scratch));
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    private static (string? Problem, AudioInfo? Measured) CheckFile(AudioFormat format, string path, byte[] start)
    {
        // The codecs find no fault in a wav or mp3 file taken as headerless pcm; the first bytes do.
        if (AudioContentVerdict.Detect(start, start.Length) is AudioFormat actual && actual != format)
        {
            return ($"is {actual.ToApiName()} audio, not {format.ToApiName()}", null);
        }

        try
        {
            return (null, AudioInspector.Inspect(format, path, new AudioJoinOptions()));
        }
        catch (TtsException ex) when (ex.ErrorId == TtsErrorIds.AudioJoinFailed)
        {
            return (WithoutChunkName(ex.Message), null);
        }
    }

    private static byte[] StartOf(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return StartOf(stream);
    }

    // The first bytes, read through the stream that is already open; its position is kept.
    private static byte[] StartOf(FileStream stream)
    {
        var start = new byte[16];
        long position = stream.Position;
        stream.Position = 0;
        int read = 0;
        while (read < start.Length && stream.Read(start, read, start.Length - read) is int n and > 0)
        {
            read += n;
        }

        stream.Position = position;
        Array.Resize(ref start, read);
        return start;
    }

    // The codec names the chunk's file ("Audio chunk 1 ('x.partial') is truncated: ..."), which means nothing to
    // whoever reads about a server's answer or a cache entry: keep what is wrong.
    private static string WithoutChunkName(string message)
    {
        int close = message.IndexOf("') ", StringComparison.Ordinal);
        string problem = message.StartsWith("Audio chunk ", StringComparison.Ordinal) && close > 0 ? message.Substring(close + 3) : message;
        return problem.TrimEnd('.');
    }

    // The whole of what was written to destination, its position kept; empty when it cannot all be read back.
    internal static byte[] ReadBack(Stream destination)
    {
        destination.Flush();
        var body = new byte[destination.Length];
        long position = destination.Position;
        destination.Position = 0;
        int read = 0;
        while (read < body.Length)
        {
            int n = destination.Read(body, read, body.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        destination.Position = position;
        return read == body.Length ? body : Array.Empty<byte>();
    }
}
