using System;
using AitreTts.Core.Audio;

namespace AitreTts.Core.Offline;

/// <summary>
/// The offline provider's "server": the complete response body for one speech request, made in memory with no
/// network, no key and no external program. wav and pcm are 24 kHz 16-bit mono like OpenAI's (pcm at the rate
/// asked for), flac is written here, and mp3, aac and opus are frames of the voice's embedded clip.
/// </summary>
/// <remarks>
/// The output depends on nothing but the arguments: the same request always gives the same bytes, on every
/// runtime, so users can compare a script's output with a stored file.
/// </remarks>
internal static class OfflineSpeech
{
    public const int SampleRate = 24000;          // of wav and flac, and OpenAI's pcm
    public const double CharactersPerSecond = 15; // at speed 1.0
    public const double MinimumSeconds = 0.5;     // so that even one character gives a clip a player opens
    public const double MinimumSpeed = 0.25;      // the range OpenAI accepts
    public const double MaximumSpeed = 4.0;

    /// <summary>How long the speech for <paramref name="text"/> lasts: one second per 15 characters, divided by the speed, at least half a second.</summary>
    public static double DurationOf(string text, double speed)
    {
        CheckSpeed(speed);
        return Math.Max(MinimumSeconds, (text ?? throw new ArgumentNullException(nameof(text))).Length / CharactersPerSecond / speed);
    }

    /// <summary>The response body for one request, exactly as a server would send it.</summary>
    /// <param name="text">The input; its length sets the duration and its characters the rhythm.</param>
    /// <param name="voice">A name <see cref="OfflineVoices.TryGet"/> knows; anything else is an <see cref="ArgumentException"/>.</param>
    /// <param name="format">The response format.</param>
    /// <param name="speed">0.25 to 4.0; anything else is an <see cref="ArgumentOutOfRangeException"/>.</param>
    /// <param name="pcmSampleRate">The rate of <see cref="AudioFormat.Pcm"/> output (8000 to 48000 Hz); the other formats ignore it.</param>
    public static byte[] Synthesize(string text, string voice, AudioFormat format, double speed, int pcmSampleRate = SampleRate)
    {
        if (!OfflineVoices.TryGet(voice, out OfflineVoice found))
        {
            throw new ArgumentException($"The offline provider has no voice '{voice}'.", nameof(voice));
        }

        if (format == AudioFormat.Pcm && (pcmSampleRate < 8000 || pcmSampleRate > 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(pcmSampleRate), pcmSampleRate, "The pcm sample rate must be between 8000 and 48000 Hz.");
        }

        double seconds = DurationOf(text, speed);
        switch (format)
        {
            case AudioFormat.Pcm:
                return ToLittleEndian(SpeechSignal.Render(text, found, pcmSampleRate, SamplesOf(seconds, pcmSampleRate)), 0);
            case AudioFormat.Wav:
                short[] samples = SpeechSignal.Render(text, found, SampleRate, SamplesOf(seconds, SampleRate));
                byte[] wav = ToLittleEndian(samples, 44);
                byte[] header = WavCodec.CanonicalHeader(1, 1, SampleRate, 16, samples.Length * 2L);
                System.Buffer.BlockCopy(header, 0, wav, 0, header.Length);
                return wav;
            case AudioFormat.Flac:
                return FlacWriter.Write(SpeechSignal.Render(text, found, SampleRate, SamplesOf(seconds, SampleRate)), SampleRate);
            case AudioFormat.Mp3:
                Mp3Loop mp3 = OfflineClips.Mp3(found);
                return mp3.Build(SamplesOf(seconds, mp3.SampleRate));
            case AudioFormat.Aac:
                AdtsLoop aac = OfflineClips.Aac(found);
                return aac.Build(SamplesOf(seconds, aac.SampleRate));
            case AudioFormat.Opus:
                return OfflineClips.Opus(found).Build(seconds);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    private static void CheckSpeed(double speed)
    {
        // Written so that NaN fails too.
        if (!(speed >= MinimumSpeed && speed <= MaximumSpeed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed must be between 0.25 and 4.0.");
        }
    }

    private static int SamplesOf(double seconds, int rate) => (int)Math.Round(seconds * rate);

    private static byte[] ToLittleEndian(short[] samples, int offset)
    {
        var bytes = new byte[offset + (samples.Length * 2)];
        for (int i = 0; i < samples.Length; i++)
        {
            Bytes.PutU16Le(bytes, offset + (2 * i), samples[i]);
        }

        return bytes;
    }
}
