using System;

namespace AitreTts.Core.Audio;

/// <summary>Reads the duration and basic facts of one complete audio file, without decoding it.</summary>
internal static class AudioInspector
{
    /// <summary>
    /// The duration and facts of one complete file: exact for wav and pcm, from the frame count for mp3 and
    /// aac, from the container (final granule position, STREAMINFO) for opus and flac.
    /// </summary>
    /// <param name="format">The file's format.</param>
    /// <param name="path">The file.</param>
    /// <param name="options">Settings for headerless pcm; null means the defaults.</param>
    /// <exception cref="Errors.TtsException">The file is not valid audio of that format (<see cref="Errors.TtsErrorIds.AudioJoinFailed"/>).</exception>
    public static AudioInfo Inspect(AudioFormat format, string path, AudioJoinOptions options)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        options ??= new AudioJoinOptions();
        return AudioCodec.For(format).Inspect(path, options);
    }
}
