using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using AitreTts.Core.Errors;
using AitreTts.Core.Text;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// The small SSML subset the module renders itself, for every provider: input that starts with <c>&lt;speak</c>
/// becomes the parts of a document (<see cref="TextSegment"/>), with their voices, speeds, pauses and respellings,
/// which the one speech plan then splits, sends, caches and joins as it does any text. No provider ever sees markup.
/// </summary>
/// <remarks>
/// Supported: <c>speak</c>; <c>p</c> (a paragraph: <c>-ParagraphPauseMs</c> applies between them) and <c>s</c> (a
/// sentence: one request and one cue of its own); <c>break</c> (<c>time</c> in ms or s, or <c>strength</c>), exact
/// silence in the file; <c>voice name</c>; <c>sub alias</c> (the alias is sent, the text is shown in subtitles);
/// <c>prosody rate</c> (a keyword, a percentage or a multiplier of the speed, kept within 0.25–4.0). White space in
/// the markup is not speech: runs of it are one space, and only <c>p</c> makes paragraphs. Anything else fails as
/// TtsInvalidSsml naming the element, line and column, before anything is sent.
/// </remarks>
internal static class SsmlDocument
{
    /// <summary>The longest break: the same bound as -ParagraphPauseMs.</summary>
    public const int MaximumBreakMs = 10_000;

    private static readonly Regex WhiteSpace = new(@"\s+", RegexOptions.CultureInvariant);
    private static readonly Regex BreakTime = new(@"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex Rate = new(@"^\s*([+-]?)(\d+(?:\.\d+)?)\s*(%?)\s*$", RegexOptions.CultureInvariant);

    private static readonly Dictionary<string, int> BreakStrengths = new(StringComparer.Ordinal)
    {
        ["none"] = 0, ["x-weak"] = 100, ["weak"] = 250, ["medium"] = 500, ["strong"] = 1000, ["x-strong"] = 2000,
    };

    private static readonly Dictionary<string, double> RateKeywords = new(StringComparer.Ordinal)
    {
        ["x-slow"] = 0.5, ["slow"] = 0.75, ["medium"] = 1.0, ["default"] = 1.0, ["fast"] = 1.25, ["x-fast"] = 1.75,
    };

    /// <summary>True when <paramref name="text"/> is SSML: it starts, after white space, with <c>&lt;speak</c>.</summary>
    public static bool IsSsml(string text)
    {
        int start = 0;
        while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] == '\uFEFF'))
        {
            start++;
        }

        return string.CompareOrdinal(text, start, "<speak", 0, 6) == 0 && (text.Length == start + 6 || !IsNameCharacter(text[start + 6]));
    }

    /// <summary>
    /// The parts of a document with each SSML part (or the whole text, when <paramref name="parts"/> is null) rendered
    /// into its own parts; null when none is SSML. A part's voice is the default of the SSML in it.
    /// </summary>
    /// <exception cref="TtsException">TtsInvalidSsml, for the first part whose SSML is invalid.</exception>
    public static IReadOnlyList<TextSegment>? Expand(string text, IReadOnlyList<TextSegment>? parts, SpeechVoice defaults)
    {
        IReadOnlyList<TextSegment> given = parts ?? new[] { new TextSegment(0, text, null) };
        if (!given.Any(p => IsSsml(p.Text)))
        {
            return null;
        }

        var expanded = new List<TextSegment>();
        foreach (TextSegment part in given)
        {
            if (IsSsml(part.Text))
            {
                IReadOnlyList<TextSegment> rendered = Parse(part.Text, part.Voice ?? defaults);
                // The first of an item's parts starts a new paragraph, as the item itself did.
                expanded.AddRange(rendered.Select((r, i) => i == 0 ? r with { ContinuesParagraph = false } : r));
            }
            else
            {
                expanded.Add(part with { Start = null, Text = SubMarkers.Clean(part.Text) });
            }
        }

        return expanded;
    }

    /// <summary>The text as written of <paramref name="parts"/>: what subtitles, names and lengths go by.</summary>
    public static string WrittenText(IReadOnlyList<TextSegment> parts)
    {
        var text = new StringBuilder();
        foreach (TextSegment part in parts)
        {
            string written = SubMarkers.Written(part.Text);
            if (written.Length == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(part.ContinuesParagraph ? " " : "\n\n");
            }

            text.Append(written);
        }

        return text.ToString();
    }

    /// <summary>The parts of <paramref name="ssml"/>, in order, each said with its voice over <paramref name="voice"/>.</summary>
    /// <exception cref="TtsException">TtsInvalidSsml: not well formed, or an element or attribute outside the subset.</exception>
    public static IReadOnlyList<TextSegment> Parse(string ssml, SpeechVoice voice)
    {
        var builder = new PartBuilder(voice);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        using var reader = XmlReader.Create(new StringReader(ssml.TrimStart('\uFEFF')), settings);
        var info = (IXmlLineInfo)reader;
        // The voice, speed and element of each open element, to restore at its end.
        var open = new Stack<(string Name, SpeechVoice Voice)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        bool empty = reader.IsEmptyElement;
                        string name = reader.LocalName;
                        SpeechVoice before = builder.Voice;
                        Start(reader, info, name, open.Count == 0, builder);
                        if (empty)
                        {
                            End(name, before, builder);
                        }
                        else
                        {
                            open.Push((name, before));
                        }

                        break;
                    case XmlNodeType.EndElement:
                        (string ended, SpeechVoice restored) = open.Pop();
                        End(ended, restored, builder);
                        break;
                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                        builder.Text(WhiteSpace.Replace(SubMarkers.Clean(reader.Value), " "));
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            throw Invalid(ex.LineNumber, ex.LinePosition, "The SSML is not well formed: " + ex.Message);
        }

        return builder.Finish();
    }

    private static void Start(XmlReader reader, IXmlLineInfo at, string name, bool isRoot, PartBuilder builder)
    {
        if (builder.InSub)
        {
            throw Invalid(at, $"<sub> holds only the text as written; <{reader.Name}> cannot be inside it.");
        }

        if (isRoot != (name == "speak"))
        {
            throw Invalid(at, isRoot ? $"SSML starts with <speak>, not <{reader.Name}>." : "<speak> is the root of SSML; it cannot be inside another element.");
        }

        switch (name)
        {
            case "speak":
                Attributes(reader, at, "version", "lang", "schemaLocation");
                break;
            case "p":
                Attributes(reader, at, "lang");
                builder.NewPart(paragraph: true);
                break;
            case "s":
                Attributes(reader, at, "lang");
                builder.NewPart(paragraph: false);
                break;
            case "break":
                Attributes(reader, at, "time", "strength");
                builder.Pause(BreakMs(reader, at));
                break;
            case "voice":
                Attributes(reader, at, "name");
                string voice = reader.GetAttribute("name")?.Trim() ?? string.Empty;
                if (voice.Length == 0)
                {
                    throw Invalid(at, "<voice> needs a name, such as <voice name=\"onyx\">.");
                }

                builder.NewPart(paragraph: false);
                builder.Voice = builder.Voice with { Voice = voice };
                break;
            case "prosody":
                Attributes(reader, at, "rate");
                string rate = reader.GetAttribute("rate") ?? throw Invalid(at, "<prosody> needs a rate, such as <prosody rate=\"slow\"> or rate=\"120%\"; no other prosody is supported.");
                builder.NewPart(paragraph: false);
                builder.Voice = builder.Voice with { Speed = Math.Max(0.25, Math.Min(4.0, builder.Voice.Speed * RateOf(rate, at))) };
                break;
            case "sub":
                Attributes(reader, at, "alias");
                string alias = reader.GetAttribute("alias") ?? throw Invalid(at, "<sub> needs an alias: what to say instead of its text, such as <sub alias=\"sequel\">SQL</sub>.");
                if (reader.IsEmptyElement)
                {
                    throw Invalid(at, "<sub> holds the text as written, such as <sub alias=\"sequel\">SQL</sub>.");
                }

                builder.BeginSub(WhiteSpace.Replace(SubMarkers.Clean(alias), " ").Trim());
                break;
            default:
                throw Invalid(at, $"<{reader.Name}> is not supported. The SSML the module renders has speak, p, s, break, voice, sub and prosody (rate).");
        }
    }

    private static void End(string name, SpeechVoice restored, PartBuilder builder)
    {
        switch (name)
        {
            case "sub":
                builder.EndSub();
                break;
            case "p":
                builder.NewPart(paragraph: true);
                break;
            case "s":
            case "voice":
            case "prosody":
                builder.NewPart(paragraph: false);
                builder.Voice = restored;
                break;
        }
    }

    // Namespace declarations and xml:lang are allowed wherever the subset allows "lang"; anything else must be listed.
    private static void Attributes(XmlReader reader, IXmlLineInfo at, params string[] allowed)
    {
        if (!reader.MoveToFirstAttribute())
        {
            return;
        }

        do
        {
            if (reader.Name == "xmlns" || reader.Prefix == "xmlns" || Array.IndexOf(allowed, reader.LocalName) >= 0)
            {
                continue;
            }

            string name = reader.Name;
            reader.MoveToElement();
            throw Invalid(at, $"<{reader.Name}> does not support the attribute '{name}'{(allowed.Length == 0 ? string.Empty : "; it takes " + string.Join(", ", allowed))}.");
        }
        while (reader.MoveToNextAttribute());
        reader.MoveToElement();
    }

    private static int BreakMs(XmlReader reader, IXmlLineInfo at)
    {
        if (reader.GetAttribute("time") is string time)
        {
            Match match = BreakTime.Match(time);
            if (!match.Success)
            {
                throw Invalid(at, $"<break time=\"{time}\"> is not a time; write it as 500ms or 1.5s.");
            }

            double ms = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * (match.Groups[2].Value.Equals("s", StringComparison.OrdinalIgnoreCase) ? 1000 : 1);
            if (ms > MaximumBreakMs)
            {
                throw Invalid(at, string.Format(CultureInfo.InvariantCulture, "<break time=\"{0}\"> is longer than the {1} s a break may last.", time, MaximumBreakMs / 1000));
            }

            return (int)Math.Round(ms, MidpointRounding.AwayFromZero);
        }

        string strength = reader.GetAttribute("strength") ?? "medium";
        return BreakStrengths.TryGetValue(strength, out int strengthMs)
            ? strengthMs
            : throw Invalid(at, $"<break strength=\"{strength}\"> is not a strength; use none, x-weak, weak, medium, strong or x-strong.");
    }

    // The factor a rate applies to the speed: a keyword, "+20%"/"-10%" (a change), "150%" (a share) or "1.5".
    private static double RateOf(string rate, IXmlLineInfo at)
    {
        if (RateKeywords.TryGetValue(rate.Trim(), out double keyword))
        {
            return keyword;
        }

        Match match = Rate.Match(rate);
        if (!match.Success)
        {
            throw Invalid(at, $"<prosody rate=\"{rate}\"> is not a rate; use x-slow, slow, medium, fast, x-fast, a percentage (120% or +20%) or a multiplier (1.2).");
        }

        double number = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        string sign = match.Groups[1].Value;
        bool percent = match.Groups[3].Value.Length > 0;
        double factor = sign.Length > 0
            ? 1 + ((sign == "-" ? -1 : 1) * (percent ? number / 100 : number))
            : percent ? number / 100 : number;
        return factor > 0 ? factor : throw Invalid(at, $"<prosody rate=\"{rate}\"> leaves no speed; a rate must be above zero.");
    }

    private static bool IsNameCharacter(char c) => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ':';

    // XmlReader places an element at its name; a reader counts from its '<'.
    private static TtsException Invalid(IXmlLineInfo at, string message) => Invalid(at.LineNumber, at.LinePosition - 1, message);

    private static TtsException Invalid(int line, int column, string message) => new(
        TtsErrorIds.InvalidSsml,
        TtsErrorCategory.InvalidArgument,
        string.Format(CultureInfo.InvariantCulture, "SSML line {0}, column {1}: {2} Nothing was sent.", line, column, message));

    // Gathers the parts: a new one starts where the voice or speed changes, at a sentence or paragraph, and after a break.
    private sealed class PartBuilder
    {
        private readonly List<TextSegment> _parts = new();
        private readonly StringBuilder _text = new();
        private int _pauseMs;
        private bool _newParagraph;

        public PartBuilder(SpeechVoice voice) => Voice = voice;

        public SpeechVoice Voice { get; set; }

        public bool InSub => _alias is not null;

        private string? _alias;
        private readonly StringBuilder _written = new();

        public void Text(string text) => (_alias is null ? _text : _written).Append(text);

        public void BeginSub(string alias) => _alias = alias;

        public void EndSub()
        {
            string written = _written.ToString().Trim();
            _written.Clear();
            _text.Append(SubMarkers.Mark(written, _alias!));
            _alias = null;
        }

        public void NewPart(bool paragraph)
        {
            Flush();
            _newParagraph |= paragraph;
        }

        public void Pause(int ms)
        {
            Flush();
            _pauseMs += ms;
        }

        public IReadOnlyList<TextSegment> Finish()
        {
            Flush();
            if (_pauseMs > 0)
            {
                // A break after the last words: silence at the end of the file (the plan keeps it as its trailing pause).
                _parts.Add(new TextSegment(null, string.Empty, Voice) { PauseBeforeMs = _pauseMs, ContinuesParagraph = true });
            }

            return _parts;
        }

        private void Flush()
        {
            string text = _text.ToString();
            _text.Clear();
            if (SubMarkers.Written(text).Trim().Length == 0 && SubMarkers.Spoken(text).Trim().Length == 0)
            {
                return;
            }

            // Punctuation left after an element ("<voice name='echo'>down</voice>.") says nothing on its own: it ends
            // the words before it, in their voice, rather than becoming a request of its own.
            if (!SubMarkers.Spoken(text).Any(char.IsLetterOrDigit) && _parts.Count > 0 && _pauseMs == 0 && !_newParagraph)
            {
                TextSegment before = _parts[_parts.Count - 1];
                _parts[_parts.Count - 1] = before with { Text = before.Text + text.Trim() };
                return;
            }

            _parts.Add(new TextSegment(null, text.Trim(), Voice) { PauseBeforeMs = _pauseMs, ContinuesParagraph = _parts.Count > 0 && !_newParagraph });
            _pauseMs = 0;
            _newParagraph = false;
        }
    }
}
