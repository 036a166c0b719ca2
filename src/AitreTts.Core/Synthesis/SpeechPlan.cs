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

    /// <summary>How many chunks of one document are synthesized at once.</summary>
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>pcm sample rate and wrapping.</summary>
    public AudioJoinOptions Join { get; set; } = new();

    /// <summary>The format of the file written: wav when pcm is wrapped, else <see cref="Format"/>.</summary>
    public AudioFormat FileFormat => AudioCodec.For(Format).FileFormat(Join);

    /// <summary>The options of a call: the configured model, voice, throttle and sample rate, with what the call itself decides.</summary>
    public static SpeechOptions From(EffectiveConfiguration configuration, AudioFormat format, double speed, string? instructions, bool wrapPcmAsWav) => new()
    {
        Model = configuration.Get(Setting.Model)!,
        Voice = configuration.Get(Setting.Voice)!,
        Format = format,
        Speed = speed,
        Instructions = instructions,
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

/// <summary>One request of a document.</summary>
/// <param name="Text">The text sent: the written text with the pronunciation lexicon applied.</param>
/// <param name="Paragraph">The zero-based paragraph; a pause goes where it changes.</param>
/// <param name="CueText">The subtitle cue the request's audio carries, as written (never respelled), or null without subtitles.</param>
/// <param name="Characters">How far the request moves the document's progress.</param>
/// <param name="Start">Where the request's text starts in the document, when it is a plain, unrespelled chunk of it; else null.</param>
internal sealed record PlannedRequest(string Text, int Paragraph, string? CueText, int Characters, int? Start);

/// <summary>Progress of one document, reported from worker threads.</summary>
internal sealed record SynthesisProgress(int ChunksDone, int ChunksTotal, int CharactersDone, int CharactersTotal);

/// <summary>
/// Everything one document sends, decided before anything is sent: the requests, in the order their audio is
/// joined, with the options they are sent with. The same plan is what <see cref="DocumentSynthesizer"/> sends,
/// what -WhatIf counts and what the cost estimate prices, so they cannot disagree.
/// </summary>
internal sealed class SpeechPlan
{
    private SpeechPlan(string text, SpeechOptions options, SegmentOptions segments, IReadOnlyList<PlannedRequest> requests)
    {
        Text = text;
        Options = options;
        Segments = segments;
        Requests = requests;
    }

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
    /// </summary>
    public static SpeechPlan For(string text, SpeechOptions options, SegmentOptions? segments = null)
    {
        segments ??= new SegmentOptions();
        PronunciationLexicon lexicon = segments.Pronunciation;
        var requests = new List<PlannedRequest>();
        if (segments.Subtitles is not null)
        {
            foreach (SubtitleCueText cue in SubtitleCueSplitter.Split(text))
            {
                string sent = lexicon.Apply(cue.Text);
                requests.Add(new PlannedRequest(sent, cue.Paragraph, cue.Text, sent.Length, null));
            }
        }
        else if (segments.ParagraphPauseMs > 0)
        {
            int paragraph = 0;
            foreach (string paragraphText in SubtitleCueSplitter.Paragraphs(text))
            {
                int current = paragraph++;
                requests.AddRange(TextSplitter.Split(lexicon.Apply(paragraphText)).Select(chunk => new PlannedRequest(chunk.RequestText, current, null, chunk.RequestText.Length, null)));
            }
        }
        else
        {
            string spoken = lexicon.Apply(text);
            bool asWritten = string.Equals(spoken, text, StringComparison.Ordinal);
            requests.AddRange(TextSplitter.Split(spoken).Select(chunk => new PlannedRequest(chunk.RequestText, 0, null, chunk.Length, asWritten ? chunk.Start : null)));
        }

        return new SpeechPlan(text, options, segments, requests);
    }

    /// <summary>The request sent for <see cref="Requests"/>[<paramref name="index"/>].</summary>
    public SpeechRequest RequestAt(int index) =>
        new(Options.Model, Requests[index].Text, Options.Voice, Options.Format, Options.Speed, Options.Instructions);

    /// <summary>Every request the plan sends, in order.</summary>
    public IReadOnlyList<SpeechRequest> SpeechRequests() => Enumerable.Range(0, Requests.Count).Select(RequestAt).ToList();

    /// <summary>True when silence goes before request <paramref name="index"/>: it starts a new paragraph and pauses were asked for.</summary>
    public bool PausesBefore(int index) =>
        index > 0 && Segments.ParagraphPauseMs > 0 && Requests[index].Paragraph != Requests[index - 1].Paragraph;

    /// <summary>
    /// True when the one request's audio becomes the file as it is: no join, no header for the codec to rewrite,
    /// no cues to time.
    /// </summary>
    public bool KeepsTheAudioAsItIs =>
        Requests.Count == 1 && !Segments.Segmented && AudioCodec.For(Options.Format).KeepsSingleChunkAsSent(Options.Join);

    /// <summary>What a failure of request <paramref name="index"/> says about where in the document it was.</summary>
    public string Where(int index)
    {
        PlannedRequest request = Requests[index];
        return request.Start is int start
            ? string.Format(CultureInfo.InvariantCulture, "Chunk {0} of {1} (characters {2}-{3})", index + 1, Requests.Count, start + 1, start + request.Characters)
            : string.Format(CultureInfo.InvariantCulture, "Request {0} of {1} (\"{2}\")", index + 1, Requests.Count, request.Text.Length <= 40 ? request.Text : request.Text.Substring(0, 40) + "...");
    }
}
