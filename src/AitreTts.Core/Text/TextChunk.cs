using System;

namespace AitreTts.Core.Text;

/// <summary>
/// One piece of a document, small enough for one speech request. The <see cref="Raw"/> slices of all chunks, in
/// <see cref="Index"/> order, give back the document exactly.
/// </summary>
internal sealed class TextChunk
{
    /// <summary>Creates a chunk.</summary>
    /// <param name="index">Its position among the chunks of its document, from 0.</param>
    /// <param name="start">Where <paramref name="raw"/> starts in the document.</param>
    /// <param name="raw">The exact slice of the document.</param>
    /// <param name="requestText">The text to send: <paramref name="raw"/> without leading and trailing white space.</param>
    /// <exception cref="ArgumentNullException"><paramref name="raw"/> or <paramref name="requestText"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> or <paramref name="start"/> is negative.</exception>
    public TextChunk(int index, int start, string raw, string requestText)
    {
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "A chunk index cannot be negative.");
        }

        if (start < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, "A chunk start cannot be negative.");
        }

        Index = index;
        Start = start;
        Raw = raw ?? throw new ArgumentNullException(nameof(raw));
        RequestText = requestText ?? throw new ArgumentNullException(nameof(requestText));
    }

    /// <summary>Its position among the chunks of its document, from 0; also the order in which audio is joined.</summary>
    public int Index { get; }

    /// <summary>Where <see cref="Raw"/> starts in the document, in UTF-16 code units.</summary>
    public int Start { get; }

    /// <summary>The length of <see cref="Raw"/> in UTF-16 code units; the next chunk starts at <c>Start + Length</c>.</summary>
    public int Length => Raw.Length;

    /// <summary>The exact slice of the document, white space around it included.</summary>
    public string Raw { get; }

    /// <summary>
    /// What is sent to the API: <see cref="Raw"/> with leading and trailing white space trimmed. Never empty when
    /// the chunk comes from <see cref="TextSplitter.Split"/>.
    /// </summary>
    public string RequestText { get; }

    /// <summary>A short description for logs and debuggers; it does not include the text itself.</summary>
    /// <returns>For example <c>Chunk 2 [8100..12150), 4012 characters to send</c>.</returns>
    public override string ToString() =>
        $"Chunk {Index} [{Start}..{Start + Length}), {RequestText.Length} characters to send";
}
