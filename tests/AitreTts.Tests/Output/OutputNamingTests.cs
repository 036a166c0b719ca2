using AitreTts.Core;
using AitreTts.Core.Output;

namespace AitreTts.Tests.Output;

public sealed class OutputNamingTests
{
    [Theory]
    [InlineData("Server maintenance starts at 17:00", "server-maintenance-starts-at-17-00")]
    [InlineData("  Hello,   WORLD!  ", "hello-world")]
    [InlineData("one two three four five six seven eight", "one-two-three-four-five-six")]
    [InlineData("!!! ??? ...", "")]
    [InlineData("Crème brûlée", "crème-brûlée")]
    [InlineData("会议将在下午五点开始", "会议将在下午五点开始")]
    [InlineData("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f")]
    public void Slug_KeepsTheFirstWordsReadableAndSafe(string text, string expected) => Assert.Equal(expected, OutputNaming.Slug(text));

    [Fact]
    public void Slug_IsBoundedInLength() => Assert.True(OutputNaming.Slug(new string('x', 10_000)).Length <= 48);

    [Fact]
    public void ShortHash_ChangesWithEveryOptionThatChangesTheAudio()
    {
        string baseline = OutputNaming.ShortHash("Hello", "tts-1", "nova", AudioFormat.Mp3, 1.0, null);
        Assert.Matches("^[0-9a-f]{8}$", baseline);
        Assert.Equal(baseline, OutputNaming.ShortHash("Hello", "tts-1", "nova", AudioFormat.Mp3, 1.0, null));
        Assert.NotEqual(baseline, OutputNaming.ShortHash("Hello!", "tts-1", "nova", AudioFormat.Mp3, 1.0, null));
        Assert.NotEqual(baseline, OutputNaming.ShortHash("Hello", "tts-1-hd", "nova", AudioFormat.Mp3, 1.0, null));
        Assert.NotEqual(baseline, OutputNaming.ShortHash("Hello", "tts-1", "onyx", AudioFormat.Mp3, 1.0, null));
        Assert.NotEqual(baseline, OutputNaming.ShortHash("Hello", "tts-1", "nova", AudioFormat.Wav, 1.0, null));
        Assert.NotEqual(baseline, OutputNaming.ShortHash("Hello", "tts-1", "nova", AudioFormat.Mp3, 1.5, null));
        Assert.NotEqual(baseline, OutputNaming.ShortHash("Hello", "tts-1", "nova", AudioFormat.Mp3, 1.0, "Whisper"));
    }

    [Theory]
    [InlineData("/data/notes.txt", 0, "notes.mp3")]
    [InlineData("/data/notes.txt", 1, "notes-0badc0de.mp3")]
    [InlineData("/data/notes.txt", 2, "notes-0badc0de-2.mp3")]
    [InlineData(null, 0, "hello-world-0badc0de.mp3")]
    [InlineData(null, 1, "hello-world-0badc0de-2.mp3")]
    public void Candidate_PrefersTheSourceNameThenDisambiguates(string? source, int attempt, string expected) =>
        Assert.Equal(expected, OutputNaming.Candidate(source, "Hello world", "0badc0de", AudioFormat.Mp3, attempt));

    [Fact]
    public void Candidate_FallsBackToSpeechForTextWithoutWords() =>
        Assert.Equal("speech-0badc0de.wav", OutputNaming.Candidate(null, "?!", "0badc0de", AudioFormat.Wav, 0));
}
