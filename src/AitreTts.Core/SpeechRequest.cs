using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AitreTts.Core;

/// <summary>One call of <c>POST /v1/audio/speech</c>: the fields of its JSON body.</summary>
internal sealed class SpeechRequest
{
    /// <summary>Creates a request; <paramref name="input"/> must already be within the API's limit.</summary>
    public SpeechRequest(string model, string input, string voice, AudioFormat format, double speed = 1.0, string? instructions = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Input = input ?? throw new ArgumentNullException(nameof(input));
        Voice = voice ?? throw new ArgumentNullException(nameof(voice));
        Format = format;
        Speed = speed;
        Instructions = string.IsNullOrWhiteSpace(instructions) ? null : instructions;
    }

    /// <summary>The model name, passed through as given: gateways and local servers have their own.</summary>
    public string Model { get; }

    public string Input { get; }

    /// <summary>The voice name, passed through as given; a custom voice's id goes as <c>{"id": ...}</c>.</summary>
    public string Voice { get; }

    /// <summary>True when <see cref="Voice"/> is the id of an OpenAI custom voice, sent as an object.</summary>
    public bool VoiceIsCustom => IsCustomVoiceId(Voice);

    /// <summary>The <c>response_format</c>.</summary>
    public AudioFormat Format { get; }

    /// <summary>The speed, 0.25 to 4.0.</summary>
    public double Speed { get; }

    /// <summary>Voice direction for models that take it, or null.</summary>
    public string? Instructions { get; }

    /// <summary>Fields the module does not model (-ExtraBody), written after its own; null for none.</summary>
    public Configuration.ExtraBodyFields? ExtraBody { get; init; }

    /// <summary>When false, <c>model</c> is left out of the body: Azure's deployment route names the model in the URL.</summary>
    public bool IncludeModel { get; init; } = true;

    // OpenAI's custom voices have ids such as voice_1234, which the API takes only as {"id": "voice_1234"}
    // (openai-python, types/audio/speech_create_params.py); built-in and local servers' voices are plain names.
    private static readonly Regex CustomVoiceId = new("^voice_[A-Za-z0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>True for the id of an OpenAI custom voice (<c>voice_</c> and letters or digits).</summary>
    public static bool IsCustomVoiceId(string voice) => CustomVoiceId.IsMatch(voice ?? string.Empty);

    // Non-ASCII text goes out as raw UTF-8 rather than \u escapes: byte-exact for the server, and readable in -Debug.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The UTF-8 JSON body. Speed is written with the invariant culture, whatever the session's culture.</summary>
    public byte[] ToJsonUtf8()
    {
        using var buffer = new MemoryStream(Input.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (IncludeModel)
            {
                writer.WriteString("model", Model);
            }

            writer.WriteString("input", Input);
            if (VoiceIsCustom)
            {
                writer.WriteStartObject("voice");
                writer.WriteString("id", Voice);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("voice", Voice);
            }

            writer.WriteString("response_format", Format.ToApiName());
            // Round-trip formatting keeps 1.25 as 1.25 and never writes "1,25" in a German session.
            writer.WriteNumber("speed", Math.Round(Speed, 4));
            if (Instructions is not null)
            {
                writer.WriteString("instructions", Instructions);
            }

            ExtraBody?.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A one-line description for verbose output; never contains the text itself beyond its length.</summary>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "model={0} voice={1} format={2} speed={3} characters={4}{5}{6}",
        Model,
        Voice,
        Format.ToApiName(),
        Speed,
        Input.Length,
        Instructions is null ? string.Empty : " instructions=yes",
        ExtraBody is { Count: > 0 } extra ? " extra=" + extra : string.Empty);
}
