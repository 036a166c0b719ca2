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

/// <summary>The last break of each kind seen so far in a window; -1 where there was none.</summary>
internal struct LatestBreaks
{
    public static LatestBreaks None => new() { Paragraph = -1, Sentence = -1, Clause = -1, Space = -1, NoBreakSpace = -1 };

    public int Paragraph { get; private set; }

    public int Sentence { get; private set; }

    public int Clause { get; private set; }

    /// <summary>The last white space that allows a break, a paragraph break included.</summary>
    public int Space { get; private set; }

    public int NoBreakSpace { get; private set; }

    public void Record(TextBreak found)
    {
        switch (found.Kind)
        {
            case TextBreakKind.NoBreakSpace:
                NoBreakSpace = found.Position;
                break;
            case TextBreakKind.Space:
                Space = found.Position;
                break;
            case TextBreakKind.Paragraph:
                Space = found.Position;
                Paragraph = found.Position;
                break;
            case TextBreakKind.Sentence:
                Sentence = found.Position;
                break;
            default:
                Clause = found.Position;
                break;
        }
    }
}
