using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;
using AitreTts.Core.Subtitles;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;

namespace AitreTts.Core.Documents;

/// <summary>
/// What to do with one document: the checked text, the requests it sends, where its audio (and sidecar) go and what ShouldProcess asks;
/// or, when it cannot be written, the error that says why. Warnings come with either.
/// </summary>
internal sealed class DocumentPlan
{
    private DocumentPlan(IReadOnlyList<string> warnings, TtsException? refusal)
    {
        Warnings = warnings;
        Refusal = refusal;
    }

    public IReadOnlyList<string> Warnings { get; }

    // The folders the call's documents were already prepared in: the temporary files dead runs left in a folder are
    // looked for once a call, not once a document (a folder of 10,000 announcements would make that a long listing each).
    private HashSet<string>? _preparedDirectories;

    /// <summary>Why the document is not written; null when it is to be.</summary>
    public TtsException? Refusal { get; }

    /// <summary>The text to send (valid UTF-16, within the length allowed) and the requests it is sent as: what -WhatIf counts and the cost estimate prices is what is sent.</summary>
    public SpeechPlan? Speech { get; private init; }

    public SpeechOptions Options => Speech?.Options ?? new SpeechOptions();

    /// <summary>The audio file, and the subtitle sidecar when -Subtitles asks for one.</summary>
    public OutputUnit? Target { get; private init; }

    /// <summary>True when the target's directory may be created (it is an output directory, not -OutFile's).</summary>
    public bool CreateDirectory { get; private init; }

    /// <summary>The action ShouldProcess names, and -WhatIf shows, beside <see cref="OutputUnit.PreferredPath"/>.</summary>
    public string Action { get; private init; } = string.Empty;

    /// <summary>What an error while writing the document names as its target: its source path, else its text.</summary>
    public object? TargetObject { get; private init; }

    /// <summary>
    /// Checks the target before anything is sent, so no money is spent on audio that cannot be saved (see
    /// <see cref="OutputUnit.Prepare"/>), and says when temporary files of runs that died were removed.
    /// </summary>
    public OutputUnit PrepareTarget(TtsLog log)
    {
        OutputUnit target = Target ?? throw new InvalidOperationException("A refused document has no target.");
        target.Prepare(CreateDirectory, removePartialFiles: _preparedDirectories?.Add(target.Audio.Directory) ?? true);
        if (target.RemovedPartialFiles > 0)
        {
            log.Verbose(string.Format(CultureInfo.InvariantCulture, "Removed {0} temporary file(s) left in '{1}' by runs that ended before they finished.", target.RemovedPartialFiles, target.Audio.Directory));
        }

        return target;
    }

    internal static DocumentPlan Refused(TtsException refusal, IReadOnlyList<string> warnings) => new(warnings, refusal);

    internal static DocumentPlan Write(SpeechPlan speech, OutputUnit target, bool createDirectory, string action, object targetObject, IReadOnlyList<string> warnings, HashSet<string> preparedDirectories) =>
        new(warnings, refusal: null)
        {
            _preparedDirectories = preparedDirectories,
            Speech = speech,
            Target = target,
            CreateDirectory = createDirectory,
            Action = action,
            TargetObject = targetObject,
        };
}

/// <summary>Checks each document against the rules of one Invoke-TextToSpeech call, and plans where it goes.</summary>
internal sealed class DocumentPlanner
{
    // A 10 MB target object would make the error record itself a problem in logs.
    private const int LongestTargetText = 200;

    private readonly SpeechOptions _options;
    private readonly int _maximumDocumentLength;
    private readonly string? _outFile;
    private readonly Func<string> _outputDirectory;
    private readonly HashSet<string> _preparedDirectories = new(StringComparer.Ordinal);
    // The name each earlier document of this call tries first, and the hash of what it holds.
    private readonly Dictionary<string, string> _firstNames = new(StringComparer.Ordinal);
    private readonly bool _noClobber;
    private readonly bool _force;

    /// <summary>The voice options of every document; a document's parts may say theirs.</summary>
    public SpeechOptions Options => _options;

    /// <summary>-Subtitles and -ParagraphPauseMs of the call.</summary>
    public SegmentOptions SegmentOptions { get; init; } = new();

    /// <param name="options">The voice options of every document.</param>
    /// <param name="maximumDocumentLength">The longest document accepted, in characters.</param>
    /// <param name="outFile">
    /// The -OutFile as a file system path, where every document goes (under a generated name when it names a folder);
    /// null to write each document under a generated name in <paramref name="outputDirectory"/>.
    /// </param>
    /// <param name="outputDirectory">Where generated names go without -OutFile, created when missing: asked for as each document is planned.</param>
    /// <param name="noClobber">-NoClobber: an existing -OutFile is an error.</param>
    /// <param name="force">-Force: a read-only -OutFile is replaced too.</param>
    public DocumentPlanner(SpeechOptions options, int maximumDocumentLength, string? outFile, Func<string> outputDirectory, bool noClobber, bool force)
    {
        _options = options;
        _maximumDocumentLength = maximumDocumentLength;
        _outFile = outFile;
        _outputDirectory = outputDirectory;
        _noClobber = noClobber;
        _force = force;
    }

    /// <summary>The error for an -OutFile whose name holds a character file names may not contain here; null when it is valid.</summary>
    /// <param name="outFile">-OutFile as given.</param>
    /// <param name="outFilePath">-OutFile as a file system path.</param>
    public static TtsException? InvalidOutFileName(string outFile, string outFilePath)
    {
        string name = Path.GetFileName(outFilePath);
        int bad = name.IndexOfAny(Path.GetInvalidFileNameChars());
        return bad < 0
            ? null
            : new TtsException(
                TtsErrorIds.InvalidOutputPath,
                TtsErrorCategory.InvalidArgument,
                string.Format(CultureInfo.InvariantCulture, "-OutFile '{0}' is not a valid file name here: it holds U+{1:X4}, which file names may not contain.", outFile.Replace("\0", "\\0"), (int)name[bad]));
    }

    public DocumentPlan Plan(Document document)
    {
        var warnings = new List<string>();
        if (document.Error is TtsException unreadable)
        {
            return DocumentPlan.Refused(unreadable, warnings);
        }

        string rawText = document.Text;
        object targetObject = document.SourcePath ?? (object)rawText;
        if (InputText.IsBlank(rawText))
        {
            return DocumentPlan.Refused(Empty(document.SourcePath).About(targetObject), warnings);
        }

        if (rawText.Length > _maximumDocumentLength)
        {
            return DocumentPlan.Refused(TooLong(rawText.Length).About(document.SourcePath ?? (object)Truncate(rawText)), warnings);
        }

        string text = InputText.ReplaceUnpairedSurrogates(rawText, out int replaced);
        if (replaced > 0)
        {
            warnings.Add($"The text has {replaced} unpaired UTF-16 surrogate(s), which cannot be sent as UTF-8; they were replaced with U+FFFD.");
        }

        // Replacing a surrogate keeps every length, so the segments' positions still hold.
        IReadOnlyList<TextSegment>? parts = document.Segments is null || replaced == 0
            ? document.Segments
            : document.Segments.Select(p => p with { Text = InputText.ReplaceUnpairedSurrogates(p.Text, out _) }).ToList();
        try
        {
            // SSML is rendered into parts here, before anything is sent: the plan then treats them as any other parts.
            if (SsmlDocument.Expand(text, parts, _options.DefaultVoice) is IReadOnlyList<TextSegment> rendered)
            {
                parts = rendered;
                text = SsmlDocument.WrittenText(rendered);
                if (InputText.IsBlank(text))
                {
                    return DocumentPlan.Refused(Empty(document.SourcePath).About(targetObject), warnings);
                }
            }
        }
        catch (TtsException ex)
        {
            return DocumentPlan.Refused(ex.About(targetObject), warnings);
        }

        foreach (TextSegment part in parts ?? Array.Empty<TextSegment>())
        {
            if (part.Voice is SpeechVoice voice && SpeechAdvice.InvalidSpeed(voice.Speed) is TtsException invalidSpeed)
            {
                return DocumentPlan.Refused(invalidSpeed.About(targetObject), warnings);
            }
        }

        var speech = SpeechPlan.For(text, _options, SegmentOptions, parts);
        OutputUnit target;
        bool createDirectory;
        try
        {
            OutputTarget audio;
            (audio, createDirectory) = CreateTarget(text, document.SourceFile, speech);
            target = new OutputUnit(audio, SegmentOptions.Subtitles is SubtitleFormat subtitles ? SubtitleWriter.ExtensionOf(subtitles) : null);
        }
        catch (TtsException ex)
        {
            return DocumentPlan.Refused(ex.About(targetObject), warnings);
        }

        int requests = speech.Requests.Count;
        IReadOnlyList<string> voices = speech.Voices;
        IReadOnlyList<string> models = speech.Models;
        string action = string.Format(
            CultureInfo.InvariantCulture,
            "Synthesize {0} characters ({1} request{2}) as {3} with {4}voice{5} '{6}' and model{7} '{8}'{10}{9}",
            text.Length,
            requests,
            requests == 1 ? string.Empty : "s",
            _options.FileFormat.ToApiName(),
            voices.Count == 1 && SpeechRequest.IsCustomVoiceId(voices[0]) ? "custom " : string.Empty,
            voices.Count == 1 ? string.Empty : "s",
            string.Join("', '", voices),
            models.Count == 1 ? string.Empty : "s",
            string.Join("', '", models),
            Extras(target),
            (_options.ExtraBody is null ? string.Empty : ", extra fields " + _options.ExtraBody) + (_options.ExtraQuery is null ? string.Empty : ", extra query " + _options.ExtraQuery));
        return DocumentPlan.Write(speech, target, createDirectory, action, targetObject, warnings, _preparedDirectories);
    }

    private string Extras(OutputUnit target)
    {
        string pause = SegmentOptions.ParagraphPauseMs > 0
            ? string.Format(CultureInfo.InvariantCulture, ", {0} ms of silence between paragraphs", SegmentOptions.ParagraphPauseMs)
            : string.Empty;
        string subtitles = SegmentOptions.Subtitles is SubtitleFormat format
            ? string.Format(CultureInfo.InvariantCulture, ", and {0} subtitles (one request per cue) to '{1}'", format.ToString().ToUpperInvariant(), target.Sidecar!.PreferredPath)
            : string.Empty;
        return pause + subtitles;
    }

    private (OutputTarget Target, bool CreateDirectory) CreateTarget(string text, string? sourceFile, SpeechPlan speech)
    {
        // A generated name tells apart what is said differently: the voices of a document's parts take part in it.
        List<SpeechVoice> said = speech.Requests.Select(r => r.Voice ?? _options.DefaultVoice).Distinct().ToList();
        SpeechVoice named = said.Count == 1 ? said[0] : _options.DefaultVoice;
        string voice = said.Count > 1 ? string.Join("\u0000", said) : named.Voice;
        string hash = OutputNaming.ShortHash(text, named.Model, voice, _options.FileFormat, named.Speed, named.Instructions);
        AudioFormat fileFormat = _options.FileFormat;
        if (_outFile is not null)
        {
            // -OutFile naming a folder writes a generated name inside it, as Invoke-WebRequest -OutFile does.
            return (OutputTarget.ForOutFile(_outFile, _noClobber, _force, attempt => OutputNaming.Candidate(null, text, hash, fileFormat, attempt)), false);
        }

        // The documents of a call are written side by side, and the first to finish would take a name two of them try
        // first (notes.txt from two folders). It goes to the earlier input, as when they ran one after another.
        string directory = _outputDirectory();
        string firstName = Path.Combine(directory, OutputNaming.Candidate(sourceFile, text, hash, fileFormat, 0));
        int skipped = _firstNames.TryGetValue(firstName, out string? earlierHash) && !string.Equals(earlierHash, hash, StringComparison.Ordinal) ? 1 : 0;
        if (skipped == 0)
        {
            _firstNames[firstName] = hash;
        }

        var target = new OutputTarget(directory, attempt => OutputNaming.Candidate(sourceFile, text, hash, fileFormat, attempt + skipped), OutputMode.Unique, _force);
        return (target, true);
    }

    private static TtsException Empty(string? sourcePath) => new(
        TtsErrorIds.InputEmpty,
        TtsErrorCategory.InvalidArgument,
        sourcePath is null
            ? "The text is empty or only whitespace; there is nothing to speak. Pass some text, or filter out empty lines."
            : $"The file '{sourcePath}' holds no text to speak.");

    private TtsException TooLong(int length) => new(
        TtsErrorIds.InputTooLong,
        TtsErrorCategory.LimitsExceeded,
        string.Format(
            CultureInfo.InvariantCulture,
            "The document has {0:N0} characters, more than the {1:N0} allowed per document (it would take about {2:N0} request{3}). Split it, or raise -MaximumDocumentLength if this is intended.",
            length,
            _maximumDocumentLength,
            (length / TextSplitter.ApiMaximumCharacters) + 1,
            length < TextSplitter.ApiMaximumCharacters ? string.Empty : "s"));

    private static string Truncate(string text) => text.Length <= LongestTargetText ? text : text.Substring(0, LongestTargetText) + "...";
}
