namespace AitreTts.Core.Audio;

/// <summary>How <see cref="AudioJoiner"/> and <see cref="AudioInspector"/> treat audio that carries no header of its own.</summary>
internal sealed class AudioJoinOptions
{
    private const int OpenAiPcmSampleRate = 24000;

    /// <summary>
    /// The sample rate of headerless <see cref="AudioFormat.Pcm"/> audio. OpenAI sends 24000 Hz;
    /// some local servers (Piper voices) send 22050 Hz.
    /// </summary>
    public int PcmSampleRate { get; set; } = OpenAiPcmSampleRate;

    /// <summary>
    /// True when these options measure audio as the defaults do, so that what a chunk's content check measured
    /// (<see cref="WellFormedAudio.Check"/>) holds under them too.
    /// </summary>
    public bool MeasureAsTheDefaults => PcmSampleRate == OpenAiPcmSampleRate && !WrapPcmAsWav;

    /// <summary>
    /// When set, joined <see cref="AudioFormat.Pcm"/> audio is written as a WAV file (16-bit mono at
    /// <see cref="PcmSampleRate"/>) that players can open, and the result reports <see cref="AudioFormat.Wav"/>.
    /// </summary>
    public bool WrapPcmAsWav { get; set; }
}
