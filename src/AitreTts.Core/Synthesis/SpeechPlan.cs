using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AitreTts.Core.Audio;
using AitreTts.Core.Configuration;
using AitreTts.Core.Http;
using AitreTts.Core.Subtitles;
using AitreTts.Core.Text;

namespace AitreTts.Core.Synthesis;

/// <summary>The voice options of one document.</summary>
internal sealed class SpeechOptions
{
    public string Model { get; set; } = "tts-1";

    public string Voice { get; set; } = "alloy";

    /// <summary>The format asked of the server.</summary>
    public AudioFormat Format { get; set; } = AudioFormats.Default;

    /// <summary>The speed, 0.25 to 4.0.</summary>
    public double Speed { get; set; } = 1.0;

    /// <summary>Voice direction, or null.</summary>
    public string? Instructions { get; set; }

    /// <summary>Fields the module does not model (-ExtraBody), sent in every request; null for none.</summary>
    public ExtraBodyFields? ExtraBody { get; set; }

    /// <summary>Query parameters of every request (-ExtraQuery): the endpoint adds them to its URLs; here for -WhatIf to show.</summary>
    public ExtraQueryParameters? ExtraQuery { get; set; }

    /// <summary>How many chunks of one document are synthesized at once.</summary>
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>pcm sample rate and wrapping.</summary>
    public AudioJoinOptions Join { get; set; } = new();

    /// <summary>The format of the file written: wav when pcm is wrapped, else <see cref="Format"/>.</summary>
    public AudioFormat FileFormat => AudioCodec.For(Format).FileFormat(Join);

    /// <summary>The model, voice, speed and instructions of every segment that names none of its own.</summary>
    public SpeechVoice DefaultVoice => new(Model, Voice, Speed, Instructions);

    /// <summary>The options of a call: the configured model, voice, throttle and sample rate, with what the call itself decides.</summary>
    public static SpeechOptions From(EffectiveConfiguration configuration, AudioFormat format, double speed, string? instructions, bool wrapPcmAsWav) => new()
    {
        Model = configuration.Get(Setting.Model)!,
        Voice = configuration.Get(Setting.Voice)!,
        Format = format,
        Speed = speed,
        Instructions = instructions,
        ExtraBody = configuration.Get(Setting.ExtraBody) is { Count: > 0 } body ? body : null,
        ExtraQuery = configuration.Get(Setting.ExtraQuery) is { Count: > 0 } query ? query : null,
        ThrottleLimit = configuration.Get(Setting.ThrottleLimit)!.Value,
        Join = new AudioJoinOptions { PcmSampleRate = configuration.Get(Setting.SampleRate)!.Value, WrapPcmAsWav = wrapPcmAsWav },
    };
}

/// <summary>What -Subtitles, -ParagraphPauseMs and -Pronunciation ask of a document.</summary>
internal sealed class SegmentOptions
{
    /// <summary>Respellings applied to what is sent, never to what subtitles show.</summary>
    public PronunciationLexicon Pronunciation { get; init; } = PronunciationLexicon.Empty;

    /// <summary>The sidecar's format, or null for none.</summary>
    public SubtitleFormat? Subtitles { get; init; }

    /// <summary>Silence between paragraphs, in milliseconds; 0 for none.</summary>
    public int ParagraphPauseMs { get; init; }

    /// <summary>The options of -Subtitles (Srt, Vtt, or null) and -ParagraphPauseMs.</summary>
    public static SegmentOptions From(string? subtitles, int paragraphPauseMs, PronunciationLexicon? pronunciation = null) => new()
    {
        Subtitles = subtitles is null ? null : (SubtitleFormat)Enum.Parse(typeof(SubtitleFormat), subtitles, ignoreCase: true),
        ParagraphPauseMs = paragraphPauseMs,
        Pronunciation = pronunciation ?? PronunciationLexicon.Empty,
    };

    /// <summary>True when the document is cut by cue or by paragraph rather than only where the API's limit requires.</summary>
    public bool Segmented => Subtitles is not null || ParagraphPauseMs > 0;
}

/// <summary>What a request is said with: the options a segment (an input object, an SSML voice) may set for itself.</summary>
internal sealed record SpeechVoice(string Model, string Voice, double Speed, string? Instructions)
{
    /// <summary>
    /// The voice of an input object: each value it gives over <paramref name="defaults"/>. A blank value is no value
    /// (an empty cell of a CSV file), so the default applies.
    /// </summary>
    public static SpeechVoice Over(SpeechVoice defaults, string? model, string? voice, double? speed, string? instructions) => new(
        string.IsNullOrWhiteSpace(model) ? defaults.Model : model!.Trim(),
        string.IsNullOrWhiteSpace(voice) ? defaults.Voice : voice!.Trim(),
        speed ?? defaults.Speed,
        string.IsNullOrWhiteSpace(instructions) ? defaults.Instructions : instructions);

    /// <summary>The voice an input object gives (see <see cref="Over"/>), or null when it is <paramref name="defaults"/>.</summary>
    public static SpeechVoice? OwnOf(SpeechVoice defaults, string? model, string? voice, double? speed, string? instructions) =>
        Over(defaults, model, voice, speed, instructions) is var own && own != defaults ? own : null;
}

/// <summary>
/// A part of a document said with its own voice (an input object, or a run of SSML); <see cref="Start"/> is where it
/// starts in the document's text, or null when the text was rendered (SSML) and positions no longer hold.
/// </summary>
internal sealed record TextSegment(int? Start, string Text, SpeechVoice? Voice)
{
    /// <summary>Exact silence before the part, in milliseconds: an SSML break.</summary>
    public int PauseBeforeMs { get; init; }

    /// <summary>True when the part goes on the paragraph before it (an SSML sentence or voice), rather than starting one.</summary>
    public bool ContinuesParagraph { get; init; }
}

/// <summary>One request of a document.</summary>
/// <param name="Text">The text sent: the written text with the pronunciation lexicon applied.</param>
/// <param name="Paragraph">The zero-based paragraph; a pause goes where it changes.</param>
/// <param name="CueText">The subtitle cue the request's audio carries, as written (never respelled), or null without subtitles.</param>
/// <param name="Characters">How far the request moves the document's progress.</param>
/// <param name="Start">Where the request's text starts in the document, when it is a plain, unrespelled chunk of it; else null.</param>
/// <param name="Voice">What the request is said with, when its segment has a voice of its own; null for the document's options.</param>
internal sealed record PlannedRequest(string Text, int Paragraph, string? CueText, int Characters, int? Start, SpeechVoice? Voice = null)
{
    /// <summary>Exact silence before the request's audio, in milliseconds, besides any pause between paragraphs: an SSML break.</summary>
    public int PauseBeforeMs { get; init; }
}

/// <summary>Progress of one document, reported from worker threads.</summary>
internal sealed record SynthesisProgress(int ChunksDone, int ChunksTotal, int CharactersDone, int CharactersTotal);

/// <summary>
/// Everything one document sends, decided before anything is sent: the requests, in the order their audio is
/// joined, with the options they are sent with. The same plan is what <see cref="DocumentSynthesizer"/> sends,
/// what -WhatIf counts and what the cost estimate prices, so they cannot disagree.
/// </summary>
internal sealed class SpeechPlan
{
    private SpeechPlan(string text, SpeechOptions options, SegmentOptions segments, IReadOnlyList<PlannedRequest> requests, int trailingPauseMs)
    {
        Text = text;
        Options = options;
        Segments = segments;
        Requests = requests;
        TrailingPauseMs = trailingPauseMs;
    }

    /// <summary>Exact silence after the last request's audio, in milliseconds: an SSML break at the end.</summary>
    public int TrailingPauseMs { get; }

    /// <summary>The document's text.</summary>
    public string Text { get; }

    public SpeechOptions Options { get; }

    public SegmentOptions Segments { get; }

    public IReadOnlyList<PlannedRequest> Requests { get; }

    /// <summary>The progress of the whole document, in the units of <see cref="PlannedRequest.Characters"/>.</summary>
    public int Characters => Requests.Sum(r => r.Characters);

    /// <summary>
    /// The plan for <paramref name="text"/>: with subtitles one request per cue (so each cue's time is measured
    /// from its own audio, never estimated); with pauses each paragraph split as a plain document is; else the
    /// document split where the API's limit requires. The pronunciation lexicon is applied before the text is split
    /// (a respelling can make it longer), so what is cached and priced is what is sent; cues keep the written text.
    /// With <paramref name="parts"/> (input objects or SSML with voices of their own), each part is planned so and
    /// starts a new paragraph, its requests said with its own voice: a part is never joined into another's request.
    /// </summary>
    public static SpeechPlan For(string text, SpeechOptions options, SegmentOptions? segments = null, IReadOnlyList<TextSegment>? parts = null)
    {
        segments ??= new SegmentOptions();
        var requests = new List<PlannedRequest>();
        int paragraph = 0;
        int pauseMs = 0;
        foreach (TextSegment part in parts ?? new[] { new TextSegment(0, text, null) })
        {
            // A break goes before the next audio there is; one after all of it ends the file.
            pauseMs += part.PauseBeforeMs;
            int first = requests.Count;
            paragraph = AddRequests(requests, part, part.ContinuesParagraph ? Math.Max(0, paragraph - 1) : paragraph, segments);
            if (requests.Count > first && pauseMs > 0)
            {
                requests[first] = requests[first] with { PauseBeforeMs = pauseMs };
                pauseMs = 0;
            }
        }

        return new SpeechPlan(text, options, segments, requests, pauseMs);
    }

    // The requests of one part, its paragraphs numbered from firstParagraph; returns the next part's first paragraph.
    private static int AddRequests(List<PlannedRequest> requests, TextSegment part, int firstParagraph, SegmentOptions segments)
    {
        PronunciationLexicon lexicon = segments.Pronunciation;
        SpeechVoice? voice = part.Voice;
        int paragraph = firstParagraph;
        if (segments.Subtitles is not null)
        {
            foreach (SubtitleCueText cue in SubtitleCueSplitter.Split(part.Text))
            {
                string sent = lexicon.Apply(SubMarkers.Spoken(cue.Text));
                paragraph = firstParagraph + cue.Paragraph;
                requests.Add(new PlannedRequest(sent, paragraph, SubMarkers.Written(cue.Text), sent.Length, null, voice));
            }
        }
        else if (segments.ParagraphPauseMs > 0)
        {
            foreach (string paragraphText in SubtitleCueSplitter.Paragraphs(part.Text))
            {
                int current = paragraph++;
                requests.AddRange(TextSplitter.Split(lexicon.Apply(SubMarkers.Spoken(paragraphText))).Select(chunk => new PlannedRequest(chunk.RequestText, current, null, chunk.RequestText.Length, null, voice)));
            }

            return paragraph;
        }
        else
        {
            string spoken = lexicon.Apply(SubMarkers.Spoken(part.Text));
            bool asWritten = part.Start is not null && string.Equals(spoken, part.Text, StringComparison.Ordinal);
            requests.AddRange(TextSplitter.Split(spoken).Select(chunk => new PlannedRequest(chunk.RequestText, firstParagraph, null, chunk.Length, asWritten ? part.Start + chunk.Start : null, voice)));
        }

        return paragraph + 1;
    }

    /// <summary>Every voice the plan's requests are said with, in the order of first use.</summary>
    public IReadOnlyList<string> Voices => Requests.Select(r => (r.Voice ?? Options.DefaultVoice).Voice).DefaultIfEmpty(Options.Voice).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every model the plan's requests are sent to, in the order of first use.</summary>
    public IReadOnlyList<string> Models => Requests.Select(r => (r.Voice ?? Options.DefaultVoice).Model).DefaultIfEmpty(Options.Model).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The request sent for <see cref="Requests"/>[<paramref name="index"/>].</summary>
    public SpeechRequest RequestAt(int index)
    {
        SpeechVoice voice = Requests[index].Voice ?? Options.DefaultVoice;
        return new(voice.Model, Requests[index].Text, voice.Voice, Options.Format, voice.Speed, voice.Instructions) { ExtraBody = Options.ExtraBody };
    }

    /// <summary>Every request the plan sends, in order.</summary>
    public IReadOnlyList<SpeechRequest> SpeechRequests() => Enumerable.Range(0, Requests.Count).Select(RequestAt).ToList();

    /// <summary>
    /// The silence before request <paramref name="index"/>, in milliseconds: its own (an SSML break), and the pause
    /// between paragraphs when it starts a new one and pauses were asked for.
    /// </summary>
    public int PauseBeforeMs(int index) =>
        Requests[index].PauseBeforeMs
        + (index > 0 && Segments.ParagraphPauseMs > 0 && Requests[index].Paragraph != Requests[index - 1].Paragraph ? Segments.ParagraphPauseMs : 0);

    /// <summary>True when the plan writes silence anywhere: a pause between paragraphs or an SSML break.</summary>
    public bool HasSilence => TrailingPauseMs > 0 || Enumerable.Range(0, Requests.Count).Any(i => PauseBeforeMs(i) > 0);

    /// <summary>
    /// True when the one request's audio becomes the file as it is: no join, no header for the codec to rewrite,
    /// no cues to time.
    /// </summary>
    public bool KeepsTheAudioAsItIs =>
        Requests.Count == 1 && !Segments.Segmented && !HasSilence && AudioCodec.For(Options.Format).KeepsSingleChunkAsSent(Options.Join);

    /// <summary>What a failure of request <paramref name="index"/> says about where in the document it was.</summary>
    public string Where(int index)
    {
        PlannedRequest request = Requests[index];
        return request.Start is int start
            ? string.Format(CultureInfo.InvariantCulture, "Chunk {0} of {1} (characters {2}-{3})", index + 1, Requests.Count, start + 1, start + request.Characters)
            : string.Format(CultureInfo.InvariantCulture, "Request {0} of {1} (\"{2}\")", index + 1, Requests.Count, request.Text.Length <= 40 ? request.Text : request.Text.Substring(0, 40) + "...");
    }
}
