using System;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Audio;

/// <summary>Builds the <see cref="TtsErrorIds.AudioJoinFailed"/> errors, always naming the chunk and what was wrong.</summary>
internal static class AudioErrors
{
    public static TtsException Chunk(int index, string path, string problem, Exception? inner = null) =>
        new(TtsErrorIds.AudioJoinFailed, TtsErrorCategory.InvalidData,
            $"Audio chunk {index + 1} ('{System.IO.Path.GetFileName(path)}') {problem}.", inner);

    public static TtsException Chunk(ChunkReader reader, string problem) => Chunk(reader.Index, reader.Path, problem);

    public static TtsException Mismatch(ChunkReader reader, string what, string expected, string actual) =>
        Chunk(reader.Index, reader.Path, $"cannot be joined to the chunks before it: its {what} is {actual}, theirs is {expected}");
}
