using System;
using System.IO;
using AitreTts.Core;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;

namespace AitreTts.Tests.Documents;

public sealed class OutputFormatChoiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-format-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(null, null, false, AudioFormat.Aac, AudioFormat.Aac)]        // the configured format
    [InlineData("opus", null, false, AudioFormat.Aac, AudioFormat.Opus)]     // -Format over it
    [InlineData("WAV", null, false, AudioFormat.Mp3, AudioFormat.Wav)]
    [InlineData(null, "x.opus", false, AudioFormat.Mp3, AudioFormat.Opus)]   // the -OutFile extension over it
    [InlineData(null, "x.FLAC", false, AudioFormat.Mp3, AudioFormat.Flac)]
    [InlineData("opus", "x.opus", false, AudioFormat.Mp3, AudioFormat.Opus)] // both, agreeing
    [InlineData("aac", "x.mp4", false, AudioFormat.Mp3, AudioFormat.Aac)]    // -Format says what goes into x.mp4
    [InlineData("pcm", null, true, AudioFormat.Mp3, AudioFormat.Pcm)]        // wrapped pcm is asked for as pcm
    [InlineData(null, "x.wav", true, AudioFormat.Mp3, AudioFormat.Pcm)]      // x.wav with -WrapPcmAsWav asks for pcm
    [InlineData(null, "x.wav", false, AudioFormat.Mp3, AudioFormat.Wav)]
    [InlineData("pcm", "x.wav", true, AudioFormat.Mp3, AudioFormat.Pcm)]     // pcm wrapped is what x.wav means
    [InlineData("wav", "x.wav", true, AudioFormat.Mp3, AudioFormat.Wav)]
    [InlineData(null, "x.pcm", true, AudioFormat.Mp3, AudioFormat.Pcm)]
    public void TheFormatIsTheFirstOfFormatOutFileAndConfiguration(string? format, string? outFile, bool wrap, object configured, object expected)
    {
        OutputFormatChoice choice = Resolve(format, outFile, wrap, (AudioFormat)configured);
        Assert.Null(choice.Error);
        Assert.Empty(choice.Warnings);
        Assert.Equal((AudioFormat)expected, choice.Format);
    }

    [Theory]
    [InlineData("wav", "x.mp3", false, "-Format wav contradicts the extension of -OutFile 'x.mp3', which means mp3. Drop -Format, or give the file a .wav extension.")]
    [InlineData("pcm", "x.pcm", true, "-Format pcm contradicts the extension of -OutFile 'x.pcm', which means pcm. Drop -Format, or give the file a .wav extension.")]
    [InlineData("pcm", "x.wav", false, "-Format pcm contradicts the extension of -OutFile 'x.wav', which means wav. Drop -Format, or give the file a .pcm extension.")]
    public void AFormatThatContradictsTheOutFileExtensionIsAConflict(string format, string outFile, bool wrap, string message)
    {
        TtsException error = Assert.IsType<TtsException>(Resolve(format, outFile, wrap).Error);
        Assert.Equal(TtsErrorIds.FormatConflict, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Equal(message, error.Message);
        Assert.Equal(outFile, error.TargetObject);
    }

    [Fact]
    public void AFormatTheApiDoesNotOfferIsInvalid()
    {
        TtsException error = Assert.IsType<TtsException>(Resolve("mp4", "x.mp3").Error);
        Assert.Equal(TtsErrorIds.InvalidFormat, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Equal("'mp4' is not a format the speech API offers. Use one of: mp3, opus, aac, flac, wav, pcm.", error.Message);
        Assert.Equal("mp4", error.TargetObject);
    }

    [Theory]
    [InlineData("x.mp4", ".mp4")]
    [InlineData("notes.m4a", ".m4a")]
    [InlineData("x.txt", ".txt")]
    public void AnOutFileExtensionThatNamesNoFormatIsInvalidWithoutFormat(string outFile, string extension)
    {
        TtsException error = Assert.IsType<TtsException>(Resolve(null, outFile).Error);
        Assert.Equal(TtsErrorIds.InvalidFormat, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Equal($"The extension '{extension}' of -OutFile '{outFile}' names no format the speech API offers (mp3, opus, aac, flac, wav, pcm). Use one of those extensions, or say what to write into it with -Format.", error.Message);
        Assert.Equal(outFile, error.TargetObject);
    }

    [Theory]
    [InlineData("announcement")]
    [InlineData("announcement.")]
    public void AnOutFileWithoutExtensionGetsTheConfiguredFormatWithAWarning(string outFile)
    {
        OutputFormatChoice choice = Resolve(null, outFile, configured: AudioFormat.Opus);
        Assert.Null(choice.Error);
        Assert.Equal(AudioFormat.Opus, choice.Format);
        Assert.Equal($"-OutFile '{outFile}' has no extension: it gets opus audio, the configured format. Give it an extension (such as .opus) or -Format to choose.", Assert.Single(choice.Warnings));
        Assert.Empty(Resolve("wav", outFile).Warnings);
    }

    [Fact]
    public void AnOutFileNamingAFolderNamesNoFormat()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "adir.wav"));
        OutputFormatChoice choice = OutputFormatChoice.Resolve("opus", "adir.wav", Path.Combine(_directory, "adir.wav"), wrapPcmAsWav: false, AudioFormat.Mp3);
        Assert.Null(choice.Error);
        Assert.Equal(AudioFormat.Opus, choice.Format);
        Assert.Equal(AudioFormat.Flac, OutputFormatChoice.Resolve(null, "out/", Path.Combine(_directory, "out.mp3") + "/", false, AudioFormat.Flac).Format);
    }

    private OutputFormatChoice Resolve(string? format, string? outFile, bool wrapPcmAsWav = false, AudioFormat configured = AudioFormat.Mp3) =>
        OutputFormatChoice.Resolve(format, outFile, outFile is null ? null : Path.Combine(_directory, outFile), wrapPcmAsWav, configured);
}
