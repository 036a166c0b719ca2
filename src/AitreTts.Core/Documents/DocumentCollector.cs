using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;

namespace AitreTts.Core.Documents;

/// <summary>How pipeline items become documents.</summary>
internal enum DocumentGrouping
{
    /// <summary>Each string is a document, and the lines Get-Content reads from one file together are one.</summary>
    BySource,

    /// <summary>Each line is a document, of a string, of Get-Content or of a file object; blank lines are skipped.</summary>
    PerLine,

    /// <summary>All input is one document (-OutFile): lines of one file join as lines, the rest as paragraphs.</summary>
    One,
}

/// <summary>
/// Turns pipeline items, one at a time, into documents. An item is a string and the path it came from, if any (the
/// PSPath that Get-Content lines and file objects carry). A file object (Get-ChildItem *.txt | ...) is read as text:
/// speaking its path would surprise everyone. An item that fails becomes a document holding its error, in its place.
/// </summary>
internal sealed class DocumentCollector
{
    private static readonly string[] LineBreaks = { "\r\n", "\n", "\r" };

    private readonly DocumentGrouping _grouping;
    private readonly Func<string, string> _providerPath;
    private readonly TextFileReader _files;
    private readonly TtsLog _log;
    private readonly StringBuilder _text = new();

    // Where the last text gathered in _text came from: a file's lines join as lines, anything else as paragraphs.
    private string? _groupSource;

    // Where in _text each run of items said with one voice starts (-OutFile): a change of voice starts a segment.
    private readonly List<(int Start, SpeechVoice? Voice)> _parts = new();

    /// <param name="grouping">How items become documents.</param>
    /// <param name="providerPath">
    /// The file system path of a source path as bound (a PSPath), or the path itself when it has none: the cmdlet's
    /// PowerShell path resolution.
    /// </param>
    /// <param name="files">Reads file objects.</param>
    /// <param name="log">Where skipped blank lines are counted, at the end.</param>
    public DocumentCollector(DocumentGrouping grouping, Func<string, string> providerPath, TextFileReader files, TtsLog log)
    {
        _grouping = grouping;
        _providerPath = providerPath;
        _files = files;
        _log = log;
    }

    /// <summary>Blank lines that <see cref="DocumentGrouping.PerLine"/> skipped: they are no documents.</summary>
    public int BlankLinesSkipped { get; private set; }

    /// <summary>The documents that <paramref name="text"/> completes, in order; often none while a group or -OutFile gathers.</summary>
    /// <param name="text">The item's text; null is an empty string.</param>
    /// <param name="sourcePath">The path the item came from as bound (its PSPath), or null for a plain string.</param>
    /// <param name="voice">The item's own voice (an input object's Voice, Model, Speed or Instructions), or null for the call's.</param>
    public IReadOnlyList<Document> Add(string? text, string? sourcePath, SpeechVoice? voice = null)
    {
        var documents = new List<Document>();
        string item = text ?? string.Empty;
        if (sourcePath is not null && FileObjectPath(item, sourcePath) is string filePath)
        {
            string content;
            try
            {
                content = _files.Read(filePath);
            }
            catch (TtsException ex)
            {
                documents.Add(Document.Unreadable(ex, item));
                return documents;
            }

            AddFile(content, sourcePath, filePath, documents);
            return documents;
        }

        switch (_grouping)
        {
            case DocumentGrouping.One:
                Append(item, sourcePath, voice);
                break;
            case DocumentGrouping.PerLine:
                AddLines(item, documents, voice);
                break;
            case DocumentGrouping.BySource when sourcePath is not null:
                if (_groupSource is not null && !string.Equals(_groupSource, sourcePath, StringComparison.Ordinal))
                {
                    Flush(documents);
                }

                Append(item, sourcePath);
                break;
            default:
                Flush(documents);
                documents.Add(AsText(Said(item, voice), item));
                break;
        }

        return documents;
    }

    /// <summary>The documents still gathering at the end of input: the last group, or the one -OutFile document.</summary>
    public IReadOnlyList<Document> Complete()
    {
        var documents = new List<Document>();
        if (_grouping == DocumentGrouping.One)
        {
            // Even no input at all is a document here: an empty one, reported as such.
            string all = _text.ToString();
            documents.Add(AsText(_parts.Exists(p => p.Voice is not null) ? Document.FromSegments(all, Segments(all)) : Document.FromText(all), all));
            _text.Clear();
            _parts.Clear();
            _groupSource = null;
        }
        else
        {
            Flush(documents);
        }

        if (BlankLinesSkipped > 0)
        {
            _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Skipped {0} blank line(s): with -PerLine a blank line is no document.", BlankLinesSkipped));
        }

        return documents;
    }

    private void AddFile(string content, string sourcePath, string filePath, List<Document> documents)
    {
        switch (_grouping)
        {
            case DocumentGrouping.One:
                // A file is its own paragraph, even beside lines of itself.
                Append(content, source: null, voice: null);
                break;
            case DocumentGrouping.PerLine:
                AddLines(content, documents);
                break;
            default:
                Flush(documents);
                documents.Add(Document.FromFile(content, sourcePath, filePath));
                break;
        }
    }

    private void AddLines(string text, List<Document> documents, SpeechVoice? voice = null)
    {
        foreach (string line in Lines(text))
        {
            if (InputText.IsBlank(line))
            {
                // Paragraph breaks are no documents; one error per blank line helped nobody.
                BlankLinesSkipped++;
            }
            else
            {
                documents.Add(AsText(Said(line, voice), line));
            }
        }
    }

    // The lines of a text as Get-Content would read them from a file: a final line break ends the last line.
    private static string[] Lines(string text)
    {
        string[] lines = text.Split(LineBreaks, StringSplitOptions.None);
        if (lines.Length > 1 && lines[lines.Length - 1].Length == 0)
        {
            Array.Resize(ref lines, lines.Length - 1);
        }

        return lines;
    }

    private static Document Said(string text, SpeechVoice? voice) =>
        voice is null ? Document.FromText(text) : Document.FromSegments(text, new[] { new TextSegment(0, text, voice) });

    // Lines of one file join as lines; separate strings and files join as paragraphs.
    private void Append(string text, string? source, SpeechVoice? voice = null)
    {
        bool follows = _grouping == DocumentGrouping.One ? _text.Length > 0 : _groupSource is not null;
        if (follows)
        {
            _text.Append(source is not null && string.Equals(source, _groupSource, StringComparison.Ordinal) ? "\n" : "\n\n");
        }

        if (_grouping == DocumentGrouping.One && (_parts.Count == 0 || !Equals(_parts[_parts.Count - 1].Voice, voice)))
        {
            _parts.Add((_text.Length, voice));
        }

        _text.Append(text);
        _groupSource = source;
    }

    // The runs of _parts as segments of the whole text, without the paragraph break that joins one to the next.
    private List<TextSegment> Segments(string all)
    {
        var segments = new List<TextSegment>();
        for (int i = 0; i < _parts.Count; i++)
        {
            int end = i + 1 < _parts.Count ? _parts[i + 1].Start : all.Length;
            string text = all.Substring(_parts[i].Start, end - _parts[i].Start);
            segments.Add(new TextSegment(_parts[i].Start, i + 1 < _parts.Count ? text.TrimEnd('\n') : text, _parts[i].Voice));
        }

        return segments;
    }

    private void Flush(List<Document> documents)
    {
        if (_groupSource is not string source)
        {
            return;
        }

        documents.Add(AsText(Document.FromFile(_text.ToString(), source, _providerPath(source)), source));
        _text.Clear();
        _groupSource = null;
    }

    /// <summary>
    /// The document, or its TtsInputNotText error when its text holds control characters that text does not (the same
    /// rule a file object's content meets in <see cref="TextFileReader"/>): Get-Content of a binary file, or strings
    /// holding NUL or terminal escapes, are refused before any request is paid for. The message names the character
    /// by its code, never the text, which may be binary.
    /// </summary>
    private static Document AsText(Document document, object targetObject)
    {
        int index = InputText.FirstNonTextControl(document.Text);
        if (index < 0)
        {
            return document;
        }

        string character = "U+" + ((int)document.Text[index]).ToString("X4", CultureInfo.InvariantCulture);
        string what = document.SourcePath is string source
            ? $"The content of '{source}' holds the control character {character}"
            : $"The text holds the control character {character}";
        return Document.Unreadable(
            new TtsException(
                TtsErrorIds.InputNotText,
                TtsErrorCategory.InvalidData,
                string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} at position {1}, which text to speak does not: it looks like binary data or terminal output, and was not sent. Pipe text only, without control characters other than tab, line breaks and form feed.",
                    what,
                    index + 1)),
            targetObject);
    }

    // A FileInfo becomes its full path on PowerShell 7, but only its name on Windows PowerShell 5.1; its PSPath names
    // the file either way. Null when the item is text, such as a line of Get-Content.
    private string? FileObjectPath(string text, string sourcePath)
    {
        if (text.Length == 0 || text.IndexOf('\n') >= 0)
        {
            return null;
        }

        string path = _providerPath(sourcePath);
        bool namesTheFile = string.Equals(path, text, StringComparison.Ordinal)
            || string.Equals(sourcePath, text, StringComparison.Ordinal)
            || string.Equals(Path.GetFileName(path), text, StringComparison.Ordinal);
        return namesTheFile && (File.Exists(path) || Directory.Exists(path)) ? path : null;
    }
}
