using System.Text;

namespace AitreTts.Core.Text;

/// <summary>
/// A respelling inside a text (<c>&lt;sub alias&gt;</c>): the written form and what is said, marked with three
/// private-use characters so that the text can be split into requests and cues like any other, and each piece then
/// gives its written text (for subtitles) and its spoken text (for the request).
/// </summary>
internal static class SubMarkers
{
    private const char Begin = '\uE000';
    private const char Said = '\uE001';
    private const char End = '\uE002';

    /// <summary>The marked respelling of <paramref name="written"/> as <paramref name="alias"/>.</summary>
    public static string Mark(string written, string alias) => Begin + written + Said + alias + End;

    /// <summary>True when <paramref name="text"/> holds a marker.</summary>
    public static bool Has(string text) => text.IndexOfAny(new[] { Begin, Said, End }) >= 0;

    /// <summary>Input text without the marker characters, which input never needs.</summary>
    public static string Clean(string text) => Has(text) ? text.Replace(Begin.ToString(), string.Empty).Replace(Said.ToString(), string.Empty).Replace(End.ToString(), string.Empty) : text;

    /// <summary>The text as written: each respelling's written form.</summary>
    public static string Written(string text) => Keep(text, written: true);

    /// <summary>The text as said: each respelling's alias.</summary>
    public static string Spoken(string text) => Keep(text, written: false);

    // A piece may start inside a respelling (a split fell within it); the first marker it holds says where it started.
    private static string Keep(string text, bool written)
    {
        if (!Has(text))
        {
            return text;
        }

        int first = text.IndexOfAny(new[] { Begin, Said, End });
        int zone = text[first] == Said ? 1 : text[first] == End ? 2 : 0; // 0 outside, 1 written, 2 said
        var kept = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case Begin: zone = 1; break;
                case Said: zone = 2; break;
                case End: zone = 0; break;
                default:
                    if (zone == 0 || (zone == 1) == written)
                    {
                        kept.Append(c);
                    }

                    break;
            }
        }

        return kept.ToString();
    }
}
