using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// Everything the module knows of one audio format: <see cref="For"/> is the one place a format chooses its codec,
/// and the rest of the code asks the codec rather than testing which format it has. A new format is an
/// <see cref="AudioFormat"/> member, one codec class and one entry in <see cref="For"/>.
/// </summary>
internal abstract class AudioCodec
{
    public abstract AudioFormat Format { get; }

    /// <summary>The codec of <paramref name="format"/>.</summary>
    public static AudioCodec For(AudioFormat format) => format switch
    {
        AudioFormat.Wav => WavCodec.Instance,
        AudioFormat.Pcm => PcmCodec.Instance,
        AudioFormat.Mp3 => Mp3Codec.Instance,
        AudioFormat.Aac => AdtsCodec.Instance,
        AudioFormat.Opus => OggOpusCodec.Instance,
        AudioFormat.Flac => FlacCodec.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>
    /// The format to ask the server for, so that the file written is of <paramref name="fileFormat"/>: the format
    /// whose codec writes <paramref name="fileFormat"/> under <paramref name="options"/> in place of itself (pcm for
    /// wav with <see cref="AudioJoinOptions.WrapPcmAsWav"/>), else <paramref name="fileFormat"/> itself.
    /// </summary>
    public static AudioFormat AskedFor(AudioFormat fileFormat, AudioJoinOptions options)
    {
        foreach (AudioFormat format in AudioFormats.All)
        {
            if (format != fileFormat && For(format).FileFormat(options) == fileFormat)
            {
                return format;
            }
        }

        return fileFormat;
    }

    /// <summary>The format of the file written from chunks of this format: <see cref="Format"/>, unless the codec wraps it in another.</summary>
    public virtual AudioFormat FileFormat(AudioJoinOptions options) => Format;

    /// <summary>
    /// Whether a document of one chunk can become the file as the server sent it, with no header to rewrite; when
    /// false, even one chunk goes through <see cref="Join"/>.
    /// </summary>
    public virtual bool KeepsSingleChunkAsSent(AudioJoinOptions options) => true;

    /// <summary>Writes the chunk files, in order, as one valid file; see <see cref="AudioJoiner.Join"/>.</summary>
    public abstract AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken);

    /// <summary>The duration and facts of one complete file; see <see cref="AudioInspector.Inspect"/>.</summary>
    public abstract AudioInfo Inspect(string path, AudioJoinOptions options);

    /// <summary>Where each chunk will play once <see cref="Join"/> has joined them; see <see cref="ChunkTimeline.Measure"/>.</summary>
    public abstract ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="WriteSilence"/> needs a reference chunk to copy stream parameters from.</summary>
    public virtual bool SilenceNeedsReference => true;

    /// <summary>Writes silence as a complete file that <see cref="Join"/> accepts beside the reference chunk; see <see cref="Silence.Write"/>.</summary>
    /// <returns>How long the silence plays, decoded on its own.</returns>
    public abstract TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the first <paramref name="count"/> bytes of <paramref name="start"/> show this format's container or
    /// frame sync. A headerless format shows none and answers false.
    /// </summary>
    public abstract bool Recognizes(byte[] start, int count);

    /// <summary>
    /// Judges whether a body that starts with <paramref name="start"/> is audio of this format: the check every 200
    /// answer passes before its bytes are kept (by the HTTP caller, and by the chunk cache before it stores or serves
    /// an entry).
    /// </summary>
    /// <param name="start">The first bytes of the body; at least 16 where the body has them.</param>
    /// <param name="count">How many bytes of <paramref name="start"/> are the body's.</param>
    /// <param name="contentType">The Content-Type the body came with, or null when none is known (a file).</param>
    public AudioContentVerdict CheckContent(byte[] start, int count, string? contentType) =>
        AudioContentVerdict.Judge(this, start, count, contentType);
}
