using System;
using System.Globalization;
using System.IO;
using System.Security;
using System.Text;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;
using AitreTts.Core.Text;

namespace AitreTts.Core.Documents;

/// <summary>
/// Reads a text file piped in as a file object (Get-ChildItem *.txt | Invoke-TextToSpeech): as UTF-8 where it is
/// (Windows PowerShell's Get-Content misreads BOM-less UTF-8), as ANSI where it is not, or as the forced encoding.
/// </summary>
internal sealed class TextFileReader
{
    private readonly Encoding? _encoding;
    private readonly int _maximumDocumentLength;
    private readonly TtsLog _log;

    /// <param name="encoding">The encoding -Encoding forces, or null to detect it.</param>
    /// <param name="maximumDocumentLength">The longest document accepted, in characters.</param>
    /// <param name="log">Where the encoding used is said.</param>
    public TextFileReader(Encoding? encoding, int maximumDocumentLength, TtsLog log)
    {
        _encoding = encoding;
        _maximumDocumentLength = maximumDocumentLength;
        _log = log;
    }

    /// <summary>The text of the file at <paramref name="path"/>.</summary>
    /// <exception cref="TtsException">
    /// TtsInputNotText for a directory, a device, a pipe, binary content or a file that cannot be read;
    /// TtsInputTooLong for a file whose size alone proves it too long, or that does not fit in memory.
    /// </exception>
    public string Read(string path)
    {
        try
        {
            return ReadText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException or NotSupportedException or ArgumentException)
        {
            throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.ReadError, $"Could not read '{path}': {ex.Message}", ex);
        }
        catch (OutOfMemoryException ex)
        {
            // A file that may fit -MaximumDocumentLength by its size, but whose bytes and text do not fit in memory
            // at once: the one allocation failed, and the next document can still go on.
            throw new TtsException(TtsErrorIds.InputTooLong, TtsErrorCategory.LimitsExceeded, $"The file '{path}' is too large to read into memory. Split it, or lower -MaximumDocumentLength so that such a file is refused by its size.", ex);
        }
    }

    private string ReadText(string path)
    {
        if (Directory.Exists(path))
        {
            throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidArgument, $"'{path}' is a directory, not text. Pipe files (Get-ChildItem -File) or their content (Get-Content).");
        }

        // Reading a named pipe waits for a writer that may never come, and a device such as /dev/zero never ends.
        if (FileNode.IsDeviceOrPipe(path))
        {
            throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidArgument, $"'{path}' is a device or pipe, not a text file. Pipe text files, or what the pipe carries with Get-Content.");
        }

        // The size alone can prove a file too long; reading a huge one whole would run out of memory first.
        long size = new FileInfo(path).Length;
        if (InputText.FewestCharacters(size, _encoding) > _maximumDocumentLength)
        {
            throw new TtsException(
                TtsErrorIds.InputTooLong,
                TtsErrorCategory.LimitsExceeded,
                string.Format(
                    CultureInfo.InvariantCulture,
                    "The file '{0}' has {1:N0} bytes, which is more than the {2:N0} characters allowed per document even at four bytes a character; it was not read. Split it, or raise -MaximumDocumentLength if this is intended.",
                    path,
                    size,
                    _maximumDocumentLength));
        }

        // A byte order mark, else UTF-8, else the ANSI code page that Windows PowerShell 5.1 and Notepad wrote.
        string content = InputText.DecodeFile(File.ReadAllBytes(path), _encoding, out string encodingUsed);
        _log.Verbose($"Read '{path}' as {encodingUsed}.");
        if (InputText.LooksBinary(content))
        {
            throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidData, $"'{path}' is not a text file. Pipe text files, or their content with Get-Content.");
        }

        return content;
    }
}
