using System;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;

namespace AitreTts.Core.Cache;

/// <summary>
/// Whether a chunk is well-formed audio of its format: the one question the cache asks before it stores a server's
/// answer and again before it serves an entry. It asks the codecs the join asks (<see cref="AudioCodec.For"/>), so
/// what the cache holds is exactly what a join accepts and a body that would fail the join never enters.
/// </summary>
internal static class CacheableAudio
{
    /// <summary>
    /// What is wrong with the audio in <paramref name="path"/> as <paramref name="format"/>, or null when it is
    /// well-formed. <paramref name="content"/> is the file's content, which the caller holds anyway: its first bytes
    /// name the container without opening the file a second time.
    /// </summary>
    internal static string? Problem(AudioFormat format, string path, byte[] content)
    {
        if (AudioContentVerdict.Detect(content, Math.Min(content.Length, 16)) is AudioFormat actual && actual != format)
        {
            // The codecs find no fault in a wav or mp3 file taken as headerless pcm; the first bytes do.
            return $"is {actual.ToApiName()} audio, not {format.ToApiName()}";
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

    // The codec names the chunk's file ("Audio chunk 1 ('x.partial') is truncated: ..."), which means nothing to
    // whoever reads about a server's answer or a cache entry: keep what is wrong.
    private static string WithoutChunkName(string message)
    {
        int close = message.IndexOf("') ", StringComparison.Ordinal);
        string problem = message.StartsWith("Audio chunk ", StringComparison.Ordinal) && close > 0 ? message.Substring(close + 3) : message;
        return problem.TrimEnd('.');
    }
}
