using System.IO;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Http;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// Where a chunk's audio comes from: a server through <see cref="SpeechClient"/>, or the offline provider. The
/// document path around it (splitting, parallelism, joining, naming) is the same for both.
/// </summary>
internal interface ISpeechSource
{
    /// <summary>Writes one request's audio to <paramref name="destination"/>, which is emptied before every attempt.</summary>
    Task<SpeechResponse> SynthesizeAsync(SpeechRequest request, Stream destination, CancellationToken cancellationToken);
}
