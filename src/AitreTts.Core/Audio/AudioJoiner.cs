using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// Joins the audio files of a document's chunks into one valid file, in every format the API offers.
/// Streams: it reads each chunk through a bounded window and writes through a bounded buffer, so a
/// document of hundreds of megabytes never sits in memory.
/// </summary>
/// <remarks>
/// Every chunk is scanned and validated before the first byte is written: a chunk that cannot be joined
/// fails with <see cref="Errors.TtsErrorIds.AudioJoinFailed"/> naming the chunk, and leaves the destination
/// untouched. Headers that need totals (WAV sizes, the MP3 Info frame, FLAC STREAMINFO) are computed in that
/// first pass, so <c>destination</c> may be a non-seekable stream.
/// </remarks>
internal static class AudioJoiner
{
    /// <summary>
    /// Writes the chunk files, in order, as one valid file of <paramref name="format"/> to <paramref name="destination"/>.
    /// A single path is allowed and still normalizes the file (for example, repairs placeholder WAV sizes).
    /// </summary>
    /// <param name="format">The format every chunk is in.</param>
    /// <param name="chunkPaths">The chunk files, in document order; at least one.</param>
    /// <param name="destination">Where the joined file goes; need not be seekable. It is flushed, not closed.</param>
    /// <param name="options">Settings for headerless pcm; null means the defaults.</param>
    /// <param name="cancellationToken">Checked between buffers.</param>
    /// <returns>Facts about what was written.</returns>
    /// <exception cref="Errors.TtsException">A chunk cannot be read or joined (<see cref="Errors.TtsErrorIds.AudioJoinFailed"/>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static AudioInfo Join(AudioFormat format, IReadOnlyList<string> chunkPaths, Stream destination, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        if (chunkPaths is null)
        {
            throw new ArgumentNullException(nameof(chunkPaths));
        }

        if (destination is null)
        {
            throw new ArgumentNullException(nameof(destination));
        }

        if (chunkPaths.Count == 0)
        {
            throw new ArgumentException("At least one chunk is needed.", nameof(chunkPaths));
        }

        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        options ??= new AudioJoinOptions();
        cancellationToken.ThrowIfCancellationRequested();
        var sink = new OutputSink(destination, cancellationToken);
        AudioInfo info = AudioCodec.For(format).Join(chunkPaths, sink, options, cancellationToken);
        sink.Flush();
        return info;
    }
}
