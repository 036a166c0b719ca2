namespace AitreTts.Core;

/// <summary>
/// Where the core tells its story. The cmdlets forward it to Verbose, Debug and Warning streams on the pipeline
/// thread; the core may call it from any thread. Nothing passed here may contain an API key.
/// </summary>
internal abstract class TtsLog
{
    /// <summary>A log that discards everything.</summary>
    public static TtsLog None { get; } = new NullLog();

    /// <summary>False when Verbose messages are not shown: a message that costs work to build is then not built.</summary>
    public bool ShowsVerbose { get; set; } = true;

    /// <summary>False when Debug messages are not shown.</summary>
    public bool ShowsDebug { get; set; } = true;

    /// <summary>One step of the run: resolved settings, requests, retries, files.</summary>
    public abstract void Verbose(string message);

    /// <summary>Detail for troubleshooting, such as the request body.</summary>
    public abstract void Debug(string message);

    /// <summary>Something the user should know although the operation goes on.</summary>
    public abstract void Warning(string message);

    private sealed class NullLog : TtsLog
    {
        public NullLog()
        {
            ShowsVerbose = false;
            ShowsDebug = false;
        }

        public override void Verbose(string message)
        {
        }

        public override void Debug(string message)
        {
        }

        public override void Warning(string message)
        {
        }
    }
}
