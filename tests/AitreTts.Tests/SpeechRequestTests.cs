using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading;
using AitreTts.Core;

namespace AitreTts.Tests;

public sealed class SpeechRequestTests
{
    [Fact]
    public void ToJsonUtf8_WritesTheApiFields()
    {
        var request = new SpeechRequest("tts-1", "Hello", "nova", AudioFormat.Opus, 1.25, "Cheerful");
        using JsonDocument json = JsonDocument.Parse(request.ToJsonUtf8());
        JsonElement root = json.RootElement;
        Assert.Equal("tts-1", root.GetProperty("model").GetString());
        Assert.Equal("Hello", root.GetProperty("input").GetString());
        Assert.Equal("nova", root.GetProperty("voice").GetString());
        Assert.Equal("opus", root.GetProperty("response_format").GetString());
        Assert.Equal(1.25, root.GetProperty("speed").GetDouble());
        Assert.Equal("Cheerful", root.GetProperty("instructions").GetString());
    }

    [Theory]
    [InlineData("voice_1234", true)]
    [InlineData("voice_68a7b2c1d9e0f", true)]
    [InlineData("alloy", false)]
    [InlineData("af_bella", false)]
    [InlineData("voice_", false)]
    [InlineData("voice_12-34", false)]
    [InlineData("my_voice_1234", false)]
    public void ToJsonUtf8_SendsACustomVoiceIdAsAnObject(string voice, bool custom)
    {
        using JsonDocument json = JsonDocument.Parse(new SpeechRequest("gpt-4o-mini-tts", "Hello", voice, AudioFormat.Mp3).ToJsonUtf8());
        JsonElement sent = json.RootElement.GetProperty("voice");
        Assert.Equal(custom ? JsonValueKind.Object : JsonValueKind.String, sent.ValueKind);
        Assert.Equal(voice, custom ? sent.GetProperty("id").GetString() : sent.GetString());
        Assert.Equal(custom, SpeechRequest.IsCustomVoiceId(voice));
    }

    [Fact]
    public void ToJsonUtf8_LeavesOutEmptyInstructionsAndOptionallyTheModel()
    {
        var request = new SpeechRequest("my-deployment", "Hi", "alloy", AudioFormat.Mp3, 1.0, "  ") { IncludeModel = false };
        string json = Encoding.UTF8.GetString(request.ToJsonUtf8());
        Assert.DoesNotContain("instructions", json);
        Assert.DoesNotContain("model", json);
    }

    [Theory]
    [InlineData("Crème brûlée à 17:00")]
    [InlineData("会议将在下午五点开始。")]
    [InlineData("مرحبا بالعالم")]
    [InlineData("Привет, мир")]
    public void ToJsonUtf8_SendsNonAsciiAsRawUtf8(string text)
    {
        byte[] body = new SpeechRequest("tts-1", text, "alloy", AudioFormat.Mp3).ToJsonUtf8();
        byte[] expected = Encoding.UTF8.GetBytes(text);
        Assert.True(IndexOf(body, expected) >= 0, "the UTF-8 bytes of the text appear verbatim in the body");
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(text, json.RootElement.GetProperty("input").GetString());
    }

    [Theory]
    [InlineData("Deploy done 🚀👍🏽")]
    [InlineData("👨‍👩‍👧 family")]
    public void ToJsonUtf8_SendsEmojiAsValidJsonThatDecodesToTheSameText(string text)
    {
        // System.Text.Json writes characters beyond the BMP as \u surrogate escapes: valid JSON that every server
        // decodes to exactly these UTF-8 bytes, which the emulator round-trip tests check end to end.
        byte[] body = new SpeechRequest("tts-1", text, "alloy", AudioFormat.Mp3).ToJsonUtf8();
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(json.RootElement.GetProperty("input").GetString()!));
    }

    [Fact]
    public void ToJsonUtf8_WritesSpeedWithAPointWhateverTheCulture()
    {
        CultureInfo original = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new CultureInfo("de-DE");
            string json = Encoding.UTF8.GetString(new SpeechRequest("tts-1", "x", "alloy", AudioFormat.Mp3, 0.75).ToJsonUtf8());
            Assert.Contains("\"speed\":0.75", json);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = original;
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
