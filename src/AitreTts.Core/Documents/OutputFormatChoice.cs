using System;
using System.Collections.Generic;
using System.IO;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;

namespace AitreTts.Core.Documents;

/// <summary>
/// The format asked of the server, the first of: -Format; the extension of -OutFile; the configured format. With
/// -WrapPcmAsWav, pcm is asked for and written as wav. A contradiction or a name of no format is an error.
/// </summary>
internal sealed class OutputFormatChoice
{
    private OutputFormatChoice(AudioFormat format, string? warning, TtsException? error)
    {
        Format = format;
        Warnings = warning is null ? Array.Empty<string>() : new[] { warning };
        Error = error;
    }

    public AudioFormat Format { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Why no format can be chosen: the command cannot go on.</summary>
    public TtsException? Error { get; }

    /// <param name="format">-Format as given, or null.</param>
    /// <param name="outFile">-OutFile as given, for messages; null without it.</param>
    /// <param name="outFilePath">-OutFile as a file system path; null without it.</param>
    /// <param name="wrapPcmAsWav">-WrapPcmAsWav.</param>
    /// <param name="configured">The configured format.</param>
    public static OutputFormatChoice Resolve(string? format, string? outFile, string? outFilePath, bool wrapPcmAsWav, AudioFormat configured)
    {
        AudioFormat? fromParameter = null;
        if (format is not null)
        {
            if (!AudioFormats.TryParse(format, out AudioFormat parsed))
            {
                return Failed(AudioFormats.Unknown(format), format);
            }

            fromParameter = parsed;
        }

        // x.mp4 would silently hold mp3 data, so an extension that names no format is an error unless -Format says
        // what to write; no extension at all takes the configured format, with a warning. A folder names none, and
        // neither does a device or pipe: each document is refused for it, and a warning about its extension would
        // only come first and mislead.
        AudioFormat? fromOutFile = null;
        if (outFilePath is not null && !OutputTarget.NamesFolder(outFilePath) && !FileNode.IsDeviceOrPipe(outFilePath))
        {
            string extension = Path.GetExtension(outFilePath);
            fromOutFile = AudioFormats.FromPath(outFilePath);
            if (fromOutFile is null && fromParameter is null)
            {
                if (extension.Length > 1)
                {
                    return Failed(TtsErrorIds.InvalidFormat, $"The extension '{extension}' of -OutFile '{outFile}' names no format the speech API offers ({AudioFormats.Names}). Use one of those extensions, or say what to write into it with -Format.", outFile);
                }

                return new OutputFormatChoice(configured, $"-OutFile '{outFile}' has no extension: it gets {configured.ToApiName()} audio, the configured format. Give it an extension (such as {configured.ToExtension()}) or -Format to choose.", null);
            }
        }

        var join = new AudioJoinOptions { WrapPcmAsWav = wrapPcmAsWav };
        AudioFormat? fileFormatOfParameter = fromParameter is AudioFormat asked ? AudioCodec.For(asked).FileFormat(join) : null;
        if (fromParameter is not null && fromOutFile is not null && fileFormatOfParameter != fromOutFile)
        {
            return Failed(TtsErrorIds.FormatConflict, $"-Format {format} contradicts the extension of -OutFile '{outFile}', which means {fromOutFile.Value.ToApiName()}. Drop -Format, or give the file a {fileFormatOfParameter!.Value.ToExtension()} extension.", outFile);
        }

        // "x.wav" with -WrapPcmAsWav asks for pcm from the server and wraps it.
        AudioFormat chosen = fromParameter
            ?? (fromOutFile is AudioFormat fileFormat ? AudioCodec.AskedFor(fileFormat, join) : configured);
        return new OutputFormatChoice(chosen, null, null);
    }

    private static OutputFormatChoice Failed(string errorId, string message, string? targetObject) =>
        Failed(new TtsException(errorId, TtsErrorCategory.InvalidArgument, message), targetObject);

    private static OutputFormatChoice Failed(TtsException error, string? targetObject) =>
        new(AudioFormats.Default, null, error.About(targetObject));
}
