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
    /// <summary>What is wrong with the audio in <paramref name="path"/> as <paramref name="format"/>, or null when it is well-formed.</summary>
    internal static string? Problem(AudioFormat format, string path)
    {
        string? container = OtherContainer(format, path);
        if (container is not null)
        {
            return container;
        }

        try
        {
            AudioInspector.Inspect(format, path, new AudioJoinOptions());
            return null;
        }
        catch (TtsException ex) when (ex.ErrorId == TtsErrorIds.AudioJoinFailed)
        {
            return WithoutChunkName(ex.Message);
        }
    }

    // The codecs find no fault in a wav or mp3 file taken as headerless pcm; the first bytes do.
    private static string? OtherContainer(AudioFormat format, string path)
    {
        var start = new byte[16];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            read = stream.Read(start, 0, start.Length);
        }

        return AudioContentVerdict.Detect(start, read) is AudioFormat actual && actual != format
            ? $"is {actual.ToApiName()} audio, not {format.ToApiName()}"
            : null;
    }

    // The codec names the chunk's file ("Audio chunk 1 ('x.partial') is truncated: ..."), which means nothing to
    // whoever reads about a server's answer or a cache entry: keep what is wrong.
    private static string WithoutChunkName(string message)
    {
        int close = message.IndexOf("') ", StringComparison.Ordinal);
        string problem = message.StartsWith("Audio chunk ", StringComparison.Ordinal) && close > 0 ? message.Substring(close + 3) : message;
        return problem.TrimEnd('.');
    }

    /// <summary>
    /// The problem of the audio just written to <paramref name="audio"/>, or null when it is well-formed: read from the
    /// chunk's own file when there is one (there always is in a document), otherwise from a private scratch copy,
    /// since the codecs read files.
    /// </summary>
    internal static string? Problem(AudioFormat format, Stream audio)
    {
        if (audio is FileStream file)
        {
            file.Flush();
            return Problem(format, file.Name);
        }

        string scratch = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(scratch, ReadBack(audio));
            return Problem(format, scratch);
        }
        finally
        {
            File.Delete(scratch);
        }
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
