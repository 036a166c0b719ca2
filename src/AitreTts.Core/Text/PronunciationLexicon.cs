using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Text;

/// <summary>
/// Written words and how to say them ("SQL" → "sequel"), applied to the text before it is split and cached, so the
/// cache key and the cost see what is sent. Matching is whole-word and case-sensitive: "SQL" is not "sql", and
/// "SQLite" is not "SQL". A written form that starts or ends with something other than a letter or digit ("C++",
/// ".NET") is matched on that side wherever it occurs. Where two written forms overlap, the longer one wins.
/// </summary>
/// <remarks>
/// The stored form (<see cref="ReadFile"/>) is UTF-8 text, one entry a line, written and spoken form separated by a
/// tab: what a spreadsheet saves as "Text (Tab delimited)", with no quoting or escaping to get wrong, and no
/// separator a written form could hold (names hold spaces, "=" and commas; none holds a tab). Blank lines and lines
/// starting with '#' are ignored.
/// </remarks>
internal sealed class PronunciationLexicon
{
    // Letters, digits, marks and connectors: what a word is made of, so "SQL" in "SQLite" or "MS_SQL" is no match.
    private const string WordCharacter = @"[\p{L}\p{M}\p{N}\p{Pc}]";

    public static readonly PronunciationLexicon Empty = new(new Dictionary<string, string>(StringComparer.Ordinal));

    private readonly Dictionary<string, string> _spoken;
    private readonly Regex? _pattern;

    private PronunciationLexicon(Dictionary<string, string> spoken)
    {
        _spoken = spoken;
        if (spoken.Count > 0)
        {
            IEnumerable<string> alternatives = spoken.Keys
                .OrderByDescending(written => written.Length)
                .ThenBy(written => written, StringComparer.Ordinal)
                .Select(Alternative);
            _pattern = new Regex(string.Join("|", alternatives), RegexOptions.CultureInvariant);
        }
    }

    /// <summary>How many written forms it respells.</summary>
    public int Count => _spoken.Count;

    /// <summary>The entries, written form first, in ordinal order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries => _spoken.OrderBy(e => e.Key, StringComparer.Ordinal);

    /// <summary>The lexicon of <paramref name="entries"/>; the last of two entries for one written form wins.</summary>
    /// <param name="entries">Written form and spoken form.</param>
    /// <param name="source">What the entries came from, for messages ("-Pronunciation", a file path).</param>
    /// <exception cref="TtsException">TtsInvalidPronunciation: a written form is blank or either form holds a line break.</exception>
    public static PronunciationLexicon From(IEnumerable<KeyValuePair<string, string?>> entries, string source)
    {
        var spoken = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string?> entry in entries)
        {
            string written = entry.Key?.Trim() ?? string.Empty;
            string said = entry.Value?.Trim() ?? string.Empty;
            if (written.Length == 0)
            {
                throw Invalid($"{source} has an entry with no written form; each entry is a word as written and how to say it.");
            }

            if (said.Length == 0)
            {
                throw Invalid($"{source} says nothing for '{written}'; give how to say it, or remove the entry.");
            }

            if (InputText.FirstNonTextControl(written + said) >= 0 || (written + said).IndexOfAny(new[] { '\r', '\n' }) >= 0)
            {
                throw Invalid($"{source} has a line break or control character in the entry for '{written.Replace("\n", " ")}'; an entry is one word or phrase on one line.");
            }

            spoken[written] = said;
        }

        return spoken.Count == 0 ? Empty : new PronunciationLexicon(spoken);
    }

    /// <summary>The lexicon of a call: the profile's file, if any, with the call's own entries over it.</summary>
    /// <param name="file">The PronunciationFile setting, a file system path, or null.</param>
    /// <param name="entries">-Pronunciation: written form to spoken form (values as their text), or null.</param>
    public static PronunciationLexicon ForCall(string? file, System.Collections.IDictionary? entries)
    {
        PronunciationLexicon stored = string.IsNullOrWhiteSpace(file) ? Empty : ReadFile(file!);
        if (entries is null)
        {
            return stored;
        }

        var given = new List<KeyValuePair<string, string?>>();
        foreach (System.Collections.DictionaryEntry entry in entries)
        {
            given.Add(new KeyValuePair<string, string?>(entry.Key?.ToString() ?? string.Empty, entry.Value?.ToString()));
        }

        return stored.With(From(given, "-Pronunciation"));
    }

    /// <summary>This lexicon with <paramref name="over"/>'s entries added, its own replaced where both have one.</summary>
    public PronunciationLexicon With(PronunciationLexicon over)
    {
        if (over.Count == 0)
        {
            return this;
        }

        var merged = new Dictionary<string, string>(_spoken, StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in over._spoken)
        {
            merged[entry.Key] = entry.Value;
        }

        return new PronunciationLexicon(merged);
    }

    /// <summary>The text as it is sent: every whole-word match of a written form replaced with how to say it.</summary>
    public string Apply(string text) =>
        _pattern is null || text.Length == 0 ? text : _pattern.Replace(text, match => _spoken[match.Value]);

    /// <summary>Reads a lexicon file (see the remarks of <see cref="PronunciationLexicon"/>).</summary>
    /// <exception cref="TtsException">TtsInvalidPronunciation: the file is missing, unreadable or has a line that is no entry.</exception>
    public static PronunciationLexicon ReadFile(string path)
    {
        string content;
        try
        {
            content = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException or ArgumentException or NotSupportedException)
        {
            string why = ex is DecoderFallbackException ? "it is not UTF-8 text" : ex.Message;
            throw Invalid($"The pronunciation file '{path}' could not be read: {why}");
        }

        return Parse(content, $"The pronunciation file '{path}'");
    }

    /// <summary>The lexicon in <paramref name="content"/>, the text of a lexicon file.</summary>
    public static PronunciationLexicon Parse(string content, string source)
    {
        var entries = new List<KeyValuePair<string, string?>>();
        string[] lines = content.TrimStart('\uFEFF').Split(new[] { "\r\n", "\n", "\r" }, StringSplitOptions.None);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            int tab = line.IndexOf('\t');
            if (tab < 0)
            {
                throw Invalid(string.Format(CultureInfo.InvariantCulture, "{0}, line {1}, has no tab: each line is the word as written, a tab, and how to say it.", source, i + 1));
            }

            entries.Add(new KeyValuePair<string, string?>(line.Substring(0, tab), line.Substring(tab + 1)));
        }

        return From(entries, source);
    }

    private static string Alternative(string written)
    {
        string start = IsWordCharacter(written[0]) ? "(?<!" + WordCharacter + ")" : string.Empty;
        string end = IsWordCharacter(written[written.Length - 1]) ? "(?!" + WordCharacter + ")" : string.Empty;
        return start + Regex.Escape(written) + end;
    }

    private static bool IsWordCharacter(char c) => char.IsLetterOrDigit(c) || c == '_' || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    private static TtsException Invalid(string message) => new(TtsErrorIds.InvalidPronunciation, TtsErrorCategory.InvalidArgument, message);
}
