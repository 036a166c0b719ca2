using System.Collections.Generic;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;

namespace AitreTts.Core.Documents;

/// <summary>
/// One document: the text that becomes one audio file, or, for a pipeline item that could not be read, the error
/// reported in its place so that the pipeline goes on.
/// </summary>
internal sealed class Document
{
    private Document(string text, string? sourcePath, string? sourceFile, TtsException? error, IReadOnlyList<TextSegment>? segments = null)
    {
        Text = text;
        SourcePath = sourcePath;
        SourceFile = sourceFile;
        Error = error;
        Segments = segments;
    }

    public string Text { get; }

    /// <summary>The parts of <see cref="Text"/> said with voices of their own, in order; null when all of it is said with the call's.</summary>
    public IReadOnlyList<TextSegment>? Segments { get; }

    /// <summary>The path the text came from as the cmdlet bound it (a PSPath): what messages and error records name.</summary>
    public string? SourcePath { get; }

    /// <summary>The file system path of <see cref="SourcePath"/>, whose base name names the audio file.</summary>
    public string? SourceFile { get; }

    /// <summary>Why there is no text: the item is no readable text file. Its target object is the item.</summary>
    public TtsException? Error { get; }

    public static Document FromText(string text) => new(text, null, null, null);

    /// <summary>A document whose parts have voices of their own; <paramref name="text"/> is the parts' text, joined.</summary>
    public static Document FromSegments(string text, IReadOnlyList<TextSegment> segments) => new(text, null, null, null, segments);

    public static Document FromFile(string text, string sourcePath, string sourceFile) => new(text, sourcePath, sourceFile, null);

    public static Document Unreadable(TtsException error, object? targetObject) => new(string.Empty, null, null, error.About(targetObject));
}
