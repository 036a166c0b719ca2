using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Synthesis;

namespace AitreTts.Core.Offline;

/// <summary>
/// The offline provider as a source of chunk audio: it opens no socket and needs no key, and everything around it
/// (splitting, parallelism, joining, naming, progress) is the path a server's audio takes.
/// </summary>
internal sealed class OfflineSpeechSource : ISpeechSource
{
    private readonly int _pcmSampleRate;

    public OfflineSpeechSource(int pcmSampleRate) => _pcmSampleRate = pcmSampleRate;

    public Task<SpeechResponse> SynthesizeAsync(SpeechRequest request, Stream destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!OfflineVoices.TryGet(request.Voice, out _))
        {
            // What a server says of a voice it does not have, so a script's error path sees the same ErrorId offline.
            throw new TtsException(
                TtsErrorIds.BadRequest,
                TtsErrorCategory.InvalidArgument,
                $"The offline provider has no voice '{request.Voice}'. Get-TtsVoice lists its voices: {string.Join(", ", OfflineVoices.All)}.");
        }

        byte[] audio;
        try
        {
            audio = OfflineSpeech.Synthesize(request.Input, request.Voice, request.Format, request.Speed, _pcmSampleRate);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new TtsException(TtsErrorIds.BadRequest, TtsErrorCategory.InvalidArgument, $"The offline provider cannot make this audio: {ex.Message}", ex);
        }

        destination.SetLength(0);
        destination.Position = 0;
        destination.Write(audio, 0, audio.Length);
        return Task.FromResult(new SpeechResponse { RequestId = RequestIdOf(request), Bytes = audio.Length });
    }

    // The same request gives the same id, as it gives the same bytes: a test can compare both with a stored run.
    private static string RequestIdOf(SpeechRequest request)
    {
        using var sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(request.ToJsonUtf8());
        return "offline-" + BitConverter.ToString(digest, 0, 8).Replace("-", string.Empty).ToLowerInvariant();
    }
}
