using System;
using System.Threading;

namespace AitreTts.Core.Http;

/// <summary>
/// How much a response may hold and how long an attempt may take, so that a server that never stops sending (or
/// sends one byte a second) can neither fill the disk nor hold a scheduled task forever.
/// </summary>
/// <remarks>
/// The audio cap is what the input could plausibly become, with a generous margin: speech at its slowest plausible
/// rate (5 characters a second) slowed to the API's slowest speed (0.25), in the largest format (wav or pcm at
/// 24 kHz, 16-bit mono: 48,000 bytes a second), twice over, plus 1 MiB for headers and short inputs. That is
/// 0.2 s / 0.25 x 48,000 B/s x 2 = 76,800 bytes per character: about 315 MB for OpenAI's longest input of 4,096
/// characters, while real answers are a few hundred times smaller.
/// </remarks>
internal static class ResponseLimits
{
    /// <summary>Bytes of audio allowed per input character.</summary>
    public const long AudioBytesPerCharacter = 76_800;

    /// <summary>Bytes of audio always allowed, whatever the input's length.</summary>
    public const long AudioBytesFloor = 1024 * 1024;

    /// <summary>The most of an error body that is read; the rest is never downloaded.</summary>
    public const int ErrorBodyBytes = 64 * 1024;

    /// <summary>The largest voices or models list accepted.</summary>
    public const int JsonBodyBytes = 4 * 1024 * 1024;

    /// <summary>How many times -TimeoutSec one attempt may take in all, headers and body together.</summary>
    public const int DeadlineTimeouts = 10;

    /// <summary>The largest audio body accepted for an input of <paramref name="characters"/> characters.</summary>
    public static long MaximumAudioBytes(int characters) => AudioBytesFloor + (Math.Max(0, characters) * AudioBytesPerCharacter);

    /// <summary>
    /// The overall deadline of one attempt: <see cref="DeadlineTimeouts"/> times the per-read timeout, so a body that
    /// keeps moving is never cut by the per-read timeout, but one that drips forever still ends.
    /// </summary>
    public static TimeSpan DeadlineFor(TimeSpan timeout) =>
        // A timer cannot run longer than int.MaxValue milliseconds (24.8 days); past that the deadline is no limit.
        timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds * DeadlineTimeouts > int.MaxValue
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(timeout.Ticks * DeadlineTimeouts);
}
