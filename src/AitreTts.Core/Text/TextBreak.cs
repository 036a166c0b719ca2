namespace AitreTts.Core.Text;

/// <summary>The kinds of place where text may be cut, weakest first.</summary>
internal enum TextBreakKind
{
    /// <summary>Before a run of only no-break spaces, as in "10 km": a cut there still beats cutting a word.</summary>
    NoBreakSpace,

    /// <summary>Before a run of white space.</summary>
    Space,

    /// <summary>After , ; : and the like, the CJK commas, and the dashes.</summary>
    Clause,

    /// <summary>After . ! ? and the like, and the CJK stops.</summary>
    Sentence,

    /// <summary>Before a blank line, a form feed or a paragraph separator.</summary>
    Paragraph,
}

/// <summary>One place where text may be cut: the cut falls between <c>text[Position - 1]</c> and <c>text[Position]</c>.</summary>
internal readonly struct TextBreak
{
    public TextBreak(int position, TextBreakKind kind)
    {
        Position = position;
        Kind = kind;
    }

    public int Position { get; }

    public TextBreakKind Kind { get; }
}
