using System;

namespace TtsEmulator.Audio;

/// <summary>Builds the response body for one speech request in the requested format.</summary>
internal static class AudioFactory
{
    /// <summary>OpenAI's formats are 24 kHz mono.</summary>
    public const int SampleRate = 24000;

    public static string ContentTypeOf(string format) => format switch
    {
        "mp3" => "audio/mpeg",
        "opus" => "audio/ogg",
        "aac" => "audio/aac",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "pcm" => "audio/pcm",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Seconds of audio for an input: proportional to its length, slower or faster with speed, at least 0.5 s.</summary>
    public static double DurationOf(string input, double secondsPerCharacter, double speed)
        => Math.Max(0.5, input.Length * secondsPerCharacter / (speed > 0 ? speed : 1));

    public static byte[] Create(string format, string input, string voice, double seconds, int pcmSampleRate)
    {
        switch (format)
        {
            case "pcm":
                return PcmWriter.ToPcm(SpeechSynth.Synthesize(input, voice, pcmSampleRate, SampleCount(seconds, pcmSampleRate)));
            case "wav":
                return PcmWriter.ToStreamedWav(SpeechSynth.Synthesize(input, voice, SampleRate, SampleCount(seconds, SampleRate)), SampleRate);
            case "flac":
                return FlacEncoder.Encode(SpeechSynth.Synthesize(input, voice, SampleRate, SampleCount(seconds, SampleRate)), SampleRate);
            case "mp3":
                return Mp3Stream.Instance.Build(seconds);
            case "aac":
                return AdtsStream.Instance.Build(seconds);
            case "opus":
                return OggOpusStream.Instance.Build(seconds);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    private static int SampleCount(double seconds, int rate) => (int)Math.Round(seconds * rate);
}
