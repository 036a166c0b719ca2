using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// What the joiner and the inspector need of one format: <see cref="For"/> is the one place a format chooses its
/// codec, so a new format is one entry here and one codec class.
/// </summary>
internal sealed class AudioCodec
{
    private static readonly AudioCodec Wav = new((paths, sink, _, token) => WavCodec.Join(paths, sink, token), (path, _) => WavCodec.Inspect(path));
    private static readonly AudioCodec Pcm = new(WavCodec.JoinPcm, WavCodec.InspectPcm);
    private static readonly AudioCodec Mp3 = new((paths, sink, _, token) => Mp3Codec.Join(paths, sink, token), (path, _) => Mp3Codec.Inspect(path));
    private static readonly AudioCodec Aac = new((paths, sink, _, token) => AdtsCodec.Join(paths, sink, token), (path, _) => AdtsCodec.Inspect(path));
    private static readonly AudioCodec Opus = new((paths, sink, _, token) => OggOpusCodec.Join(paths, sink, token), (path, _) => OggOpusCodec.Inspect(path));
    private static readonly AudioCodec Flac = new((paths, sink, _, token) => FlacCodec.Join(paths, sink, token), (path, _) => FlacCodec.Inspect(path));

    private readonly Func<IReadOnlyList<string>, OutputSink, AudioJoinOptions, CancellationToken, AudioInfo> _join;
    private readonly Func<string, AudioJoinOptions, AudioInfo> _inspect;

    private AudioCodec(Func<IReadOnlyList<string>, OutputSink, AudioJoinOptions, CancellationToken, AudioInfo> join, Func<string, AudioJoinOptions, AudioInfo> inspect)
    {
        _join = join;
        _inspect = inspect;
    }

    public static AudioCodec For(AudioFormat format) => format switch
    {
        AudioFormat.Wav => Wav,
        AudioFormat.Pcm => Pcm,
        AudioFormat.Mp3 => Mp3,
        AudioFormat.Aac => Aac,
        AudioFormat.Opus => Opus,
        AudioFormat.Flac => Flac,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken) => _join(paths, sink, options, cancellationToken);

    public AudioInfo Inspect(string path, AudioJoinOptions options) => _inspect(path, options);
}
