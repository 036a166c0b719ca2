using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using System.Management.Automation;
using System.Text;
using AitreTts.Completers;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Output;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;
using AitreTts.Core.Voices;

namespace AitreTts.Commands;

/// <summary>Invoke-TextToSpeech: text in, one audio file per document out.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "TextToSpeech", SupportsShouldProcess = true, DefaultParameterSetName = OutputDirectorySet)]
[OutputType(typeof(FileInfo))]
public sealed class InvokeTextToSpeechCommand : TtsEndpointCmdlet
{
    private const string OutputDirectorySet = "OutputDirectory";
    private const string OutFileSet = "OutFile";

    private readonly StringBuilder _outFileText = new();
    private readonly StringBuilder _pendingLines = new();
    private string? _pendingSource;
    private string? _previousOutFileSource;
    private EffectiveConfiguration? _configuration;
    private SpeechOptions? _options;
    private DocumentSynthesizer? _synthesizer;
    private int _documentsDone;
    private string? _outFilePath;
    private int _blankLinesSkipped;

    /// <summary>The text; each pipeline string is a document, and the lines Get-Content reads from one file are one.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    [AllowNull]
    public string?[] Text { get; set; } = Array.Empty<string?>();

    /// <summary>The file a Get-Content line came from, bound from its PSPath note property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("PSPath")]
    public string? SourcePath { get; set; }

    /// <summary>The voice.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(VoiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Voice { get; set; }

    /// <summary>The model.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ModelCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Model { get; set; }

    /// <summary>The audio format: mp3, opus, aac, flac, wav or pcm.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FormatCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Format { get; set; }

    /// <summary>The speed, 0.25 to 4.0.</summary>
    [Parameter]
    public double Speed { get; set; } = 1.0;

    /// <summary>Voice direction, for models that take it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
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

    /// <summary>How many requests are sent at once.</summary>
    [Parameter]
    [ValidateSetting("ThrottleLimit")]
    public int ThrottleLimit { get; set; }

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
    public int MaximumDocumentLength { get; set; } = DefaultMaximumDocumentLength;

    private const int DefaultMaximumDocumentLength = 1_000_000;

    /// <summary>The encoding of piped file objects, instead of detecting it.</summary>
    [Parameter]
    [EncodingTransformation]
    public Encoding? Encoding { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessingCore()
    {
        if (double.IsNaN(Speed) || Speed < 0.25 || Speed > 4.0)
        {
            ThrowTtsError(new TtsException(
                TtsErrorIds.InvalidSpeed,
                TtsErrorCategory.InvalidArgument,
                string.Format(CultureInfo.InvariantCulture, "-Speed {0} is out of range. Give a value from 0.25 (slowest) to 4.0 (fastest); 1.0 is normal speed.", Speed)),
                Speed);
        }

        // -Format and -OutputDirectory mean more here than the stored defaults do: the -OutFile extension and the
        // current location take part, so the document planner decides them.
        _configuration = ResolveConfiguration(BoundSettings(nameof(Format), nameof(OutputDirectory)), Profile);
        if (ParameterSetName == OutFileSet)
        {
            _outFilePath = ResolveOutFile();
        }

        try
        {
            if (_configuration.BaseUrl.Length > 0)
            {
                TtsEndpoint.ParseBaseUrl(_configuration.BaseUrl, _configuration.Provider);
            }
        }
        catch (TtsException ex)
        {
            ThrowTtsError(ex, SecretRedactor.ShownAddress(_configuration.BaseUrl));
        }

        AudioFormat format = ResolveFormat(_configuration);
        _options = new SpeechOptions
        {
            Model = _configuration.Get(Setting.Model)!,
            Voice = _configuration.Get(Setting.Voice)!,
            Format = format,
            Speed = Speed,
            Instructions = Instructions,
            ThrottleLimit = _configuration.Get(Setting.ThrottleLimit)!.Value,
            Join = new AudioJoinOptions { PcmSampleRate = _configuration.Get(Setting.SampleRate)!.Value, WrapPcmAsWav = WrapPcmAsWav.IsPresent },
        };

        if (VoiceCatalog.IsKnownUnsupported(_options.Model, _options.Voice))
        {
            WriteWarning($"The voice '{_options.Voice}' is not known to work with the model '{_options.Model}'; OpenAI will refuse it, other servers may not. See Get-TtsVoice -Model {_options.Model}.");
        }

        if (_options.Instructions is not null && VoiceCatalog.IgnoresInstructions(_options.Model))
        {
            WriteWarning($"The model '{_options.Model}' does not take -Instructions; use -Model {VoiceCatalog.InstructableModel} for voice direction.");
        }

        if (ProviderProfile.For(_configuration.Provider).Advice(_options.Format, _options.Voice) is string advice)
        {
            WriteWarning(advice);
        }

        WriteVerbose($"Profile '{_configuration.Profile}', provider {_configuration.Provider}, server {SecretRedactor.ShownAddress(_configuration.BaseUrl)} ({_configuration[Setting.BaseUrl].SourceText}), model {_options.Model}, voice {_options.Voice}, format {format.ToApiName()}, key {(_configuration.Get(Setting.ApiKey) is null ? "none" : "from " + _configuration[Setting.ApiKey].SourceText)}.");
    }

    /// <inheritdoc />
    protected override void ProcessRecordCore()
    {
        // -Text $null binds a null array: that is one empty document, reported as such rather than ignored.
        foreach (string? item in Text ?? new string?[] { null })
        {
            string text = item ?? string.Empty;
            string? source = SourcePath;
            if (source is not null && IsFileObject(text, source, out string? filePath))
            {
                // Get-ChildItem *.txt | Invoke-TextToSpeech: a file object, not a line of text. Speaking its path would
                // surprise everyone; its content is what was meant, read as UTF-8 where it is (Windows PowerShell's
                // Get-Content misreads BOM-less UTF-8) and as ANSI where it is not.
                string? content = ReadFileDocument(filePath!, text);
                if (content is null)
                {
                    continue;
                }

                if (ParameterSetName == OutFileSet)
                {
                    AppendToOutFile(content, source: null);
                }
                else
                {
                    FlushPendingDocument();
                    SynthesizeDocument(content, source, userPath: null);
                }

                continue;
            }

            if (ParameterSetName == OutFileSet)
            {
                AppendToOutFile(text, source);
                continue;
            }

            if (SourcePath is not null && !PerLine.IsPresent)
            {
                if (_pendingSource is not null && !string.Equals(_pendingSource, SourcePath, StringComparison.Ordinal))
                {
                    FlushPendingDocument();
                }

                if (_pendingSource is not null)
                {
                    _pendingLines.Append('\n');
                }

                _pendingSource = SourcePath;
                _pendingLines.Append(text);
                continue;
            }

            FlushPendingDocument();
            if (PerLine.IsPresent && InputText.IsBlank(text))
            {
                // Paragraph breaks in a file are no documents; one error per blank line helped nobody.
                _blankLinesSkipped++;
                continue;
            }

            SynthesizeDocument(text, sourcePath: null, userPath: null);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        FlushPendingDocument();
        if (ParameterSetName == OutFileSet)
        {
            SynthesizeDocument(_outFileText.ToString(), sourcePath: null, userPath: _outFilePath);
        }

        if (_blankLinesSkipped > 0)
        {
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Skipped {0} blank line(s): with -PerLine a blank line is no document.", _blankLinesSkipped));
        }

        CompleteBatch();
    }

    // Lines of one file join as lines; separate pipeline strings and files join as paragraphs.
    private void AppendToOutFile(string text, string? source)
    {
        if (_outFileText.Length > 0)
        {
            _outFileText.Append(source is not null && source == _previousOutFileSource ? "\n" : "\n\n");
        }

        _outFileText.Append(text);
        _previousOutFileSource = source;
    }

    private bool IsFileObject(string text, string sourcePath, out string? path)
    {
        path = null;
        if (text.Length == 0 || text.IndexOf('\n') >= 0)
        {
            return false;
        }

        // A FileInfo becomes its full path on PowerShell 7, but only its name on Windows PowerShell 5.1.
        string provider = SafeProviderPath(sourcePath);
        if (!string.Equals(provider, text, StringComparison.Ordinal)
            && !string.Equals(sourcePath, text, StringComparison.Ordinal)
            && !string.Equals(Path.GetFileName(provider), text, StringComparison.Ordinal))
        {
            return false;
        }

        path = provider;
        return File.Exists(provider) || Directory.Exists(provider);
    }

    private string? ReadFileDocument(string path, object target)
    {
        try
        {
            if (Directory.Exists(path))
            {
                throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidArgument, $"'{path}' is a directory, not text. Pipe files (Get-ChildItem -File) or their content (Get-Content).");
            }

            // Reading a named pipe waits for a writer that may never come, and a device such as /dev/zero never ends.
            if (FileNode.IsDeviceOrPipe(path))
            {
                throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidArgument, $"'{path}' is a device or pipe, not a text file. Pipe text files, or what the pipe carries with Get-Content.");
            }

            // The size alone can prove a file too long; reading a huge one whole would run out of memory first.
            long size = new FileInfo(path).Length;
            if (InputText.FewestCharacters(size, Encoding) > MaximumDocumentLength)
            {
                throw new TtsException(
                    TtsErrorIds.InputTooLong,
                    TtsErrorCategory.LimitsExceeded,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "The file '{0}' has {1:N0} bytes, which is more than the {2:N0} characters allowed per document even at four bytes a character; it was not read. Split it, or raise -MaximumDocumentLength if this is intended.",
                        path,
                        size,
                        MaximumDocumentLength));
            }

            // A byte order mark, else UTF-8, else the ANSI code page that Windows PowerShell 5.1 and Notepad wrote.
            string content = InputText.DecodeFile(File.ReadAllBytes(path), Encoding, out string encodingUsed);
            WriteVerbose($"Read '{path}' as {encodingUsed}.");
            if (InputText.LooksBinary(content))
            {
                throw new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidData, $"'{path}' is not a text file. Pipe text files, or their content with Get-Content.");
            }

            return content;
        }
        catch (TtsException ex)
        {
            WriteTtsError(ex, target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException or NotSupportedException or ArgumentException)
        {
            WriteTtsError(new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.ReadError, $"Could not read '{path}': {ex.Message}", ex), target);
        }
        catch (OutOfMemoryException ex)
        {
            // A file that may fit -MaximumDocumentLength by its size, but whose bytes and text do not fit in memory
            // at once: the one allocation failed, and the next document can still go on.
            WriteTtsError(new TtsException(TtsErrorIds.InputTooLong, TtsErrorCategory.LimitsExceeded, $"The file '{path}' is too large to read into memory. Split it, or lower -MaximumDocumentLength so that such a file is refused by its size.", ex), target);
        }

        return null;
    }

    private void FlushPendingDocument()
    {
        if (_pendingSource is null)
        {
            return;
        }

        string text = _pendingLines.ToString();
        string source = _pendingSource;
        _pendingLines.Clear();
        _pendingSource = null;
        SynthesizeDocument(text, source, userPath: null);
    }

    private void SynthesizeDocument(string rawText, string? sourcePath, string? userPath)
    {
        SpeechOptions options = _options!;
        object target = sourcePath ?? (object)rawText;
        if (InputText.IsBlank(rawText))
        {
            WriteTtsError(new TtsException(
                TtsErrorIds.InputEmpty,
                TtsErrorCategory.InvalidArgument,
                sourcePath is null
                    ? "The text is empty or only whitespace; there is nothing to speak. Pass some text, or filter out empty lines."
                    : $"The file '{sourcePath}' holds no text to speak."),
                target);
            return;
        }

        if (rawText.Length > MaximumDocumentLength)
        {
            WriteTtsError(new TtsException(
                TtsErrorIds.InputTooLong,
                TtsErrorCategory.LimitsExceeded,
                string.Format(
                    CultureInfo.InvariantCulture,
                    "The document has {0:N0} characters, more than the {1:N0} allowed per document (it would take about {2:N0} requests). Split it, or raise -MaximumDocumentLength if this is intended.",
                    rawText.Length,
                    MaximumDocumentLength,
                    (rawText.Length / TextSplitter.ApiMaximumCharacters) + 1)),
                sourcePath ?? (object)Truncate(rawText));
            return;
        }

        string text = InputText.ReplaceUnpairedSurrogates(rawText, out int replaced);
        if (replaced > 0)
        {
            WriteWarning($"The text has {replaced} unpaired UTF-16 surrogate(s), which cannot be sent as UTF-8; they were replaced with U+FFFD.");
        }

        OutputTarget output;
        bool createDirectory;
        try
        {
            (output, createDirectory) = CreateTarget(text, sourcePath, userPath, options);
        }
        catch (TtsException ex)
        {
            WriteTtsError(ex, target);
            return;
        }

        IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text);
        int chunkCount = chunks.Count;
        string action = string.Format(
            CultureInfo.InvariantCulture,
            "Synthesize {0} characters ({1} request{2}) as {3} with voice '{4}' and model '{5}'",
            text.Length,
            chunkCount,
            chunkCount == 1 ? string.Empty : "s",
            options.FileFormat.ToApiName(),
            options.Voice,
            options.Model);
        if (!ShouldProcess(output.PreferredPath, action))
        {
            WarnIfTheCallWouldLackAKey(_configuration!);
            return;
        }

        try
        {
            output.Prepare(createDirectory);
            if (output.RemovedPartialFiles > 0)
            {
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Removed {0} temporary file(s) left in '{1}' by runs that ended before they finished.", output.RemovedPartialFiles, output.Directory));
            }

            DocumentSynthesizer synthesizer = _synthesizer ??= CreateSynthesizer();
            ReportBatch(output.PreferredPath);
            DocumentResult result = RunInBackground(token => synthesizer.SynthesizeAsync(
                text,
                chunks,
                options,
                output,
                progress => OnPipeline(() => ReportChunks(output.PreferredPath, progress)),
                token));
            CompleteChunks();
            _documentsDone++;
            WriteObject(ToFileInfo(result, options));
        }
        catch (TtsException ex)
        {
            CompleteChunks();
            WriteTtsError(ex, target);
        }
    }

    private DocumentSynthesizer CreateSynthesizer()
    {
        EffectiveConfiguration configuration = _configuration!;
        try
        {
            SpeechClient client = Connect(configuration);
            WriteVerbose($"Sending to {SecretRedactor.ShownUrl(client.Endpoint.SpeechUri)}.");
            return new DocumentSynthesizer(client, Log);
        }
        catch (TtsException ex)
        {
            // A missing key or a refused http URL stops the whole command: no item can succeed without it.
            ThrowTtsError(ex, SecretRedactor.ShownAddress(configuration.BaseUrl));
            throw;
        }
    }

    // A 10 MB target object would make the error record itself a problem in logs.
    private static string Truncate(string text) => text.Length <= 200 ? text : text.Substring(0, 200) + "...";

    private (OutputTarget Target, bool CreateDirectory) CreateTarget(string text, string? sourcePath, string? userPath, SpeechOptions options)
    {
        string hash = OutputNaming.ShortHash(text, options.Model, options.Voice, options.FileFormat, options.Speed, options.Instructions);
        AudioFormat fileFormat = options.FileFormat;
        if (userPath is not null)
        {
            // -OutFile naming a folder writes a generated name inside it, as Invoke-WebRequest -OutFile does.
            return (OutputTarget.ForOutFile(userPath, NoClobber.IsPresent, Force.IsPresent, attempt => OutputNaming.Candidate(null, text, hash, fileFormat, attempt)), false);
        }

        string directory = OutputDirectory is not null
            ? GetUnresolvedProviderPathFromPSPath(OutputDirectory)
            : _configuration!.Get(Setting.OutputDirectory) is string configured
                ? GetUnresolvedProviderPathFromPSPath(configured)
                : SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        string? sourceFile = sourcePath is null ? null : SafeProviderPath(sourcePath);
        var target = new OutputTarget(directory, attempt => OutputNaming.Candidate(sourceFile, text, hash, fileFormat, attempt), OutputMode.Unique, Force.IsPresent);
        return (target, true);
    }

    private string SafeProviderPath(string psPath)
    {
        try
        {
            return GetUnresolvedProviderPathFromPSPath(psPath);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            return psPath;
        }
    }

    private AudioFormat ResolveFormat(EffectiveConfiguration configuration)
    {
        AudioFormat? fromParameter = null;
        if (Format is not null)
        {
            if (!AudioFormats.TryParse(Format, out AudioFormat parsed))
            {
                ThrowTtsError(new TtsException(
                    TtsErrorIds.InvalidFormat,
                    TtsErrorCategory.InvalidArgument,
                    $"'{Format}' is not a format the speech API offers. Use one of: mp3, opus, aac, flac, wav, pcm."),
                    Format);
            }

            fromParameter = parsed;
        }

        AudioFormat? fromOutFile = FormatOfOutFile(fromParameter is not null, configuration.Get(Setting.Format)!.Value);
        AudioFormat? fileFormatOfParameter = fromParameter == AudioFormat.Pcm && WrapPcmAsWav.IsPresent ? AudioFormat.Wav : fromParameter;
        if (fromParameter is not null && fromOutFile is not null && fileFormatOfParameter != fromOutFile)
        {
            ThrowTtsError(new TtsException(
                TtsErrorIds.FormatConflict,
                TtsErrorCategory.InvalidArgument,
                $"-Format {Format} contradicts the extension of -OutFile '{OutFile}', which means {fromOutFile.Value.ToApiName()}. Drop -Format, or give the file a {fileFormatOfParameter!.Value.ToExtension()} extension."),
                OutFile);
        }

        if (fromParameter is AudioFormat explicitFormat)
        {
            return explicitFormat;
        }

        if (fromOutFile is AudioFormat byExtension)
        {
            // "x.wav" with -WrapPcmAsWav asks for pcm from the server and wraps it.
            return byExtension == AudioFormat.Wav && WrapPcmAsWav.IsPresent ? AudioFormat.Pcm : byExtension;
        }

        return configuration.Get(Setting.Format)!.Value;
    }

    // The format the -OutFile extension names. A folder names none. An extension that names no format is an error
    // (x.mp4 would silently hold mp3 data) unless -Format says what to write; no extension at all takes the
    // configured format, with a warning.
    private AudioFormat? FormatOfOutFile(bool formatGiven, AudioFormat configured)
    {
        if (_outFilePath is null || OutputTarget.NamesFolder(_outFilePath))
        {
            return null;
        }

        string extension = Path.GetExtension(_outFilePath);
        if (AudioFormats.FromPath(_outFilePath) is AudioFormat named)
        {
            return named;
        }

        if (formatGiven)
        {
            return null;
        }

        if (extension.Length <= 1)
        {
            WriteWarning($"-OutFile '{OutFile}' has no extension: it gets {configured.ToApiName()} audio, the configured format. Give it an extension (such as {configured.ToExtension()}) or -Format to choose.");
            return null;
        }

        ThrowTtsError(new TtsException(
            TtsErrorIds.InvalidFormat,
            TtsErrorCategory.InvalidArgument,
            $"The extension '{extension}' of -OutFile '{OutFile}' names no format the speech API offers (mp3, opus, aac, flac, wav, pcm). Use one of those extensions, or say what to write into it with -Format."),
            OutFile);
        return null;
    }

    private string ResolveOutFile()
    {
        string path;
        try
        {
            path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile, out ProviderInfo provider, out _);
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new ProviderNotFoundException($"It is on the {provider.Name} provider.");
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTtsError(ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException
                ? new TtsException(TtsErrorIds.InvalidOutputPath, TtsErrorCategory.InvalidArgument, $"-OutFile '{OutFile}' is not a file system path: {ex.Message}", ex)
                : FileErrors.From(ex, OutFile), OutFile);
            throw;
        }

        string name = Path.GetFileName(path);
        int bad = name.IndexOfAny(Path.GetInvalidFileNameChars());
        if (bad >= 0)
        {
            ThrowTtsError(new TtsException(
                TtsErrorIds.InvalidOutputPath,
                TtsErrorCategory.InvalidArgument,
                string.Format(CultureInfo.InvariantCulture, "-OutFile '{0}' is not a valid file name here: it holds U+{1:X4}, which file names may not contain.", OutFile.Replace("\0", "\\0"), (int)name[bad])),
                OutFile);
        }

        return path;
    }

    // Progress ids: the batch is the parent activity; the chunks of the document being written are its child.
    private const int BatchProgressId = 1;
    private const int ChunkProgressId = 2;
    private bool _batchProgressShown;
    private bool _chunkProgressShown;

    private void ReportBatch(string path)
    {
        // A single document needs no batch bar; from the second one on, the batch is worth showing.
        if (_documentsDone == 0)
        {
            return;
        }

        _batchProgressShown = true;
        WriteProgress(new ProgressRecord(BatchProgressId, "Invoke-TextToSpeech", string.Format(CultureInfo.CurrentCulture, "Documents written: {0}; now writing {1}", _documentsDone, Path.GetFileName(path))));
    }

    private void ReportChunks(string path, SynthesisProgress progress)
    {
        if (progress.ChunksTotal < 2)
        {
            return;
        }

        _chunkProgressShown = true;
        int percent = progress.CharactersTotal == 0 ? 0 : (int)(100L * progress.CharactersDone / progress.CharactersTotal);
        WriteProgress(new ProgressRecord(ChunkProgressId, "Synthesizing " + Path.GetFileName(path), string.Format(CultureInfo.CurrentCulture, "{0} of {1} chunks, {2:N0} of {3:N0} characters", progress.ChunksDone, progress.ChunksTotal, progress.CharactersDone, progress.CharactersTotal))
        {
            PercentComplete = Math.Min(100, percent),
            ParentActivityId = _batchProgressShown ? BatchProgressId : -1,
        });
    }

    private void CompleteChunks()
    {
        if (_chunkProgressShown)
        {
            _chunkProgressShown = false;
            WriteProgress(new ProgressRecord(ChunkProgressId, "Synthesizing", "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = _batchProgressShown ? BatchProgressId : -1 });
        }
    }

    private void CompleteBatch()
    {
        CompleteChunks();
        if (_batchProgressShown)
        {
            _batchProgressShown = false;
            WriteProgress(new ProgressRecord(BatchProgressId, "Invoke-TextToSpeech", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private static PSObject ToFileInfo(DocumentResult result, SpeechOptions options)
    {
        var file = PSObject.AsPSObject(new FileInfo(result.Path));
        // The view name goes first; FileInfo's own type names stay, so the object still pipes to Copy-Item.
        file.TypeNames.Insert(0, "AitreTts.SpeechFile");
        file.Properties.Add(new PSNoteProperty("Voice", options.Voice));
        file.Properties.Add(new PSNoteProperty("Model", options.Model));
        file.Properties.Add(new PSNoteProperty("Format", result.Format.ToApiName()));
        file.Properties.Add(new PSNoteProperty("Characters", result.Characters));
        file.Properties.Add(new PSNoteProperty("Chunks", result.Chunks));
        file.Properties.Add(new PSNoteProperty("RequestId", result.RequestIds.Count > 0 ? result.RequestIds[0] : null));
        file.Properties.Add(new PSNoteProperty("RequestIds", result.RequestIds.ToArray()));
        file.Properties.Add(new PSNoteProperty("Duration", result.Duration));
        return file;
    }
}
