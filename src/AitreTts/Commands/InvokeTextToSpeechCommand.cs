using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Management.Automation;
using System.Text;
using AitreTts.Completers;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Security;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;

namespace AitreTts.Commands;

/// <summary>Invoke-TextToSpeech: text in, one audio file per document out.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "TextToSpeech", SupportsShouldProcess = true, DefaultParameterSetName = OutputDirectorySet)]
[OutputType(typeof(FileInfo))]
public sealed class InvokeTextToSpeechCommand : TtsEndpointCmdlet
{
    private const string OutputDirectorySet = "OutputDirectory";
    private const string OutFileSet = "OutFile";

    private EffectiveConfiguration? _configuration;
    private DocumentSynthesizer? _synthesizer;
    private string? _outFilePath;
    private DocumentCollector? _collector;
    private DocumentPlanner? _planner;
    private DocumentProgress? _progress;
    private CostEstimator? _costs;
    // Resolved once a call, when the first document needs it: resolving a PowerShell path is not free.
    private string? _outputDirectory;
    // The cost estimate is only shown by -WhatIf, -Confirm and -Verbose, so it is worked out only for them.
    private bool _explainsItself;

    // Documents started per request slot: enough that the slots stay busy while an earlier, longer document is
    // still being written, few enough that finished ones waiting for their turn stay a handful.
    private const int DocumentsPerRequestSlot = 4;

    /// <summary>The text; each pipeline string is a document, and the lines Get-Content reads from one file are one.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    [AllowNull]
    [TextInputTransformation]
    public string?[] Text { get; set; } = Array.Empty<string?>();

    /// <summary>The file a Get-Content line came from, bound from its PSPath note property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("PSPath")]
    public string? SourcePath { get; set; }

    // Voice, Model, Speed and Instructions bind from input objects too (Import-Csv rows): a blank cell is no value.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VoiceCompleter))]
    [BlankAsUnset]
    public string? Voice { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ModelCompleter))]
    [BlankAsUnset]
    public string? Model { get; set; }

    /// <summary>The audio format: mp3, opus, aac, flac, wav or pcm.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FormatCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Format { get; set; }

    /// <summary>The speed, 0.25 to 4.0.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [BlankAsUnset(Unset = 1.0)]
    public double Speed { get; set; } = 1.0;

    /// <summary>Voice direction, for models that take it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [BlankAsUnset]
    public string? Instructions { get; set; }

    /// <summary>Puts all input into this one file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = OutFileSet)]
    [ValidateNotNullOrEmpty]
    public string OutFile { get; set; } = string.Empty;

    /// <summary>Where generated file names go; created when missing.</summary>
    [Parameter(ParameterSetName = OutputDirectorySet)]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    /// <summary>Treat each line of a file as its own document.</summary>
    [Parameter(ParameterSetName = OutputDirectorySet)]
    public SwitchParameter PerLine { get; set; }

    /// <summary>Do not replace an existing -OutFile.</summary>
    [Parameter(ParameterSetName = OutFileSet)]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Replace a read-only -OutFile.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How many requests are in flight at once, across all documents of the call and the chunks of each.</summary>
    [Parameter]
    [ValidateSetting("ThrottleLimit")]
    public int ThrottleLimit { get; set; }

    /// <summary>Writes subtitles beside each audio file: Srt or Vtt, one cue per sentence, timed from its own audio.</summary>
    [Parameter]
    [ValidateSet("Srt", "Vtt")]
    public string? Subtitles { get; set; }

    /// <summary>Silence between paragraphs (blank-line boundaries), in milliseconds.</summary>
    [Parameter]
    [ValidateSetting("ParagraphPauseMs")]
    public int ParagraphPauseMs { get; set; }

    /// <summary>Neither read nor write the chunk cache.</summary>
    [Parameter]
    public SwitchParameter NoCache { get; set; }

    /// <summary>Wrap pcm in a wav header.</summary>
    [Parameter]
    public SwitchParameter WrapPcmAsWav { get; set; }

    /// <summary>The sample rate of the server's pcm.</summary>
    [Parameter]
    [ValidateSetting("SampleRate")]
    public int SampleRate { get; set; }

    /// <summary>The longest document accepted, in characters: a guard against sending a whole log file by mistake.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaximumDocumentLength { get; set; } = 1_000_000;

    /// <summary>Words and how to say them, over the profile's PronunciationFile: @{ SQL = 'sequel' }.</summary>
    [Parameter]
    public IDictionary? Pronunciation { get; set; }

    /// <summary>The encoding of piped file objects, instead of detecting it.</summary>
    [Parameter]
    [EncodingTransformation]
    public Encoding? Encoding { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessingCore()
    {
        if (SpeechAdvice.InvalidSpeed(Speed) is TtsException invalidSpeed)
        {
            throw invalidSpeed.About(Speed);
        }

        // -Format and -OutputDirectory mean more here than the stored defaults do: the -OutFile extension and the
        // current location take part, so the document planner decides them.
        _configuration = ResolveConfiguration(BoundSettings(nameof(Format), nameof(OutputDirectory)), Profile);
        if (ParameterSetName == OutFileSet)
        {
            _outFilePath = OrStop(() => FileSystemPaths.OutFile(SessionState.Path, OutFile), OutFile);
        }

        if (_configuration.BaseUrl.Length > 0 && !_configuration.ProviderProfile.IsOffline)
        {
            OrStop(() => TtsEndpoint.ParseBaseUrl(_configuration.BaseUrl, _configuration.Provider), SecretRedactor.ShownAddress(_configuration.BaseUrl));
        }

        OutputFormatChoice format = OutputFormatChoice.Resolve(Format, OutFile, _outFilePath, WrapPcmAsWav.IsPresent, _configuration.Get(Setting.Format)!.Value);
        if (format.Error is TtsException formatError)
        {
            throw formatError;
        }

        var options = SpeechOptions.From(_configuration, format.Format, Speed, Instructions, WrapPcmAsWav.IsPresent);
        WriteWarnings(format.Warnings.Concat(SpeechAdvice.For(options, _configuration)).Concat(JudgeModelRetirement(_configuration, options.Model)));
        WriteVerbose($"Profile '{_configuration.Profile}', provider {_configuration.Provider}, server {SecretRedactor.ShownAddress(_configuration.BaseUrl)} ({_configuration[Setting.BaseUrl].SourceText}), model {options.Model}, voice {options.Voice}, format {format.Format.ToApiName()}, key {(_configuration.Get(Setting.ApiKey) is null ? "none" : "from " + _configuration[Setting.ApiKey].SourceText)}.");
        DocumentGrouping grouping = _outFilePath is not null ? DocumentGrouping.One : PerLine.IsPresent ? DocumentGrouping.PerLine : DocumentGrouping.BySource;
        _collector = new DocumentCollector(grouping, path => FileSystemPaths.OrAsGiven(SessionState.Path, path), new TextFileReader(Encoding, MaximumDocumentLength, Log), Log);
        var segments = SegmentOptions.From(Subtitles, _configuration.Get(Setting.ParagraphPauseMs)!.Value, OrStop(() => PronunciationLexicon.ForCall(_configuration.Get(Setting.PronunciationFile), Pronunciation), Pronunciation));
        _planner = new DocumentPlanner(options, MaximumDocumentLength, _outFilePath, () => _outputDirectory ??= FileSystemPaths.OutputDirectory(SessionState.Path, OutputDirectory ?? _configuration!.Get(Setting.OutputDirectory)), NoClobber.IsPresent, Force.IsPresent) { SegmentOptions = segments };
        _progress = new DocumentProgress(WriteProgress);
        _explainsItself = ExplainsItself();
    }

    /// <inheritdoc />
    protected override void ProcessRecordCore()
    {
        // -Text $null binds a null array: that is one empty document, reported as such rather than ignored.
        try
        {
            foreach (string? item in Text ?? new string?[] { null })
            {
                Start(_collector!.Add(item, SourcePath, SpeechVoice.OwnOf(_planner!.Options.DefaultVoice, Model, Voice, Speed, Instructions)));
            }

            WriteFinishedInOrder();
        }
        catch
        {
            _progress!.CompleteAsTheCommandEnds();
            throw;
        }
    }

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        try
        {
            Start(_collector!.Complete());
            WaitForAllInOrder();
        }
        finally
        {
            _progress!.CompleteAsTheCommandEnds();
        }
    }

    private void Start(IEnumerable<Document> documents)
    {
        foreach (Document document in documents)
        {
            DocumentPlan plan = _planner!.Plan(document);
            WriteWarnings(plan.Warnings);
            if (plan.Refusal is TtsException refusal)
            {
                FailInOrder(refusal, refusal.TargetObject);
                continue;
            }

            string? cost = _explainsItself ? EstimateCost(plan) : null;
            if (ShouldProcess(plan.Target!.PreferredPath, cost is null ? plan.Action : plan.Action + "; " + cost))
            {
                Start(plan);
            }
            else
            {
                WarnIfTheCallWouldLackAKey(_configuration!);
            }
        }
    }

    private void Start(DocumentPlan plan)
    {
        // Connecting may end the command (a missing key or a refused http URL: no item can succeed without it), so
        // the errors of documents refused before it come out first.
        if (_synthesizer is null)
        {
            WriteFinishedInOrder();
        }

        DocumentSynthesizer synthesizer = _synthesizer ??= OrStop(() => new DocumentSynthesizer(ConnectSource(_configuration!, useCache: !NoCache.IsPresent), Log, new RequestSlots(_configuration!.Get(Setting.ThrottleLimit)!.Value)), SecretRedactor.ShownAddress(_configuration!.BaseUrl));

        OutputUnit output;
        try
        {
            output = plan.PrepareTarget(Log);
        }
        catch (TtsException ex)
        {
            FailInOrder(ex, plan.TargetObject);
            return;
        }

        SpeechPlan speech = plan.Speech!;
        int progressId = _progress!.StartDocument(output.PreferredPath);
        // A document of one request has no chunk bar, so its reports need not travel to the pipeline thread.
        Action<SynthesisProgress>? report = speech.Requests.Count > 1 ? done => OnPipeline(() => _progress.ReportChunks(progressId, done)) : null;
        StartInOrder(
            async token =>
            {
                try
                {
                    return await synthesizer.SynthesizeAsync(speech, output, report, token).ConfigureAwait(false);
                }
                finally
                {
                    OnPipeline(() => _progress.EndDocument(progressId));
                }
            },
            result => WriteObject(SpeechFile.From(result, plan.Options, InvokeProvider)),
            plan.TargetObject,
            DocumentsPerRequestSlot * plan.Options.ThrottleLimit);
    }

    private string EstimateCost(DocumentPlan plan)
    {
        CostEstimate cost = (_costs ??= CostEstimator.For(_configuration!, useCache: !NoCache.IsPresent)).Estimate(plan.Speech!);
        WriteVerbose($"Estimate: {cost.Summary}; basis: {cost.Basis}.");
        return cost.Summary;
    }

    private void WriteWarnings(IEnumerable<string> warnings) => warnings.ToList().ForEach(WriteWarning);
}
