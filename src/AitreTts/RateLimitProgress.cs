using System;
using System.Globalization;
using System.Management.Automation;
using AitreTts.Core.Http;

namespace AitreTts;

/// <summary>
/// Shows while requests wait on the account's rate limit: a progress bar of its own that says how many are held,
/// until when and why, and closes when none is. Reports come from any thread; the records are written on the
/// pipeline thread.
/// </summary>
internal sealed class RateLimitProgress : IProgress<RateLimitHold>
{
    // Apart from DocumentProgress's ids, which count up from 1 with the documents.
    private const int ProgressId = int.MaxValue - 7;

    private readonly TtsCmdlet _cmdlet;
    private int _held;
    private DateTimeOffset _until;

    public RateLimitProgress(TtsCmdlet cmdlet) => _cmdlet = cmdlet;

    public void Report(RateLimitHold value) => _cmdlet.OnPipeline(() => Show(value));

    private void Show(RateLimitHold hold)
    {
        string activity = "Waiting on the rate limit of " + hold.Host;
        if (hold.Ended)
        {
            if (--_held <= 0)
            {
                _held = 0;
                _until = default;
                _cmdlet.WriteProgress(new ProgressRecord(ProgressId, activity, "Sending again") { RecordType = ProgressRecordType.Completed });
            }

            return;
        }

        _held++;
        if (hold.Until > _until)
        {
            _until = hold.Until;
        }

        int seconds = (int)Math.Ceiling(Math.Max(0, (_until - DateTimeOffset.Now).TotalSeconds));
        string status = string.Format(
            CultureInfo.CurrentCulture,
            "{0} held until {1:HH:mm:ss} ({2} s): {3}",
            _held == 1 ? "1 request" : _held.ToString(CultureInfo.CurrentCulture) + " requests",
            _until.ToLocalTime(),
            seconds,
            hold.Reason);
        _cmdlet.WriteProgress(new ProgressRecord(ProgressId, activity, status) { SecondsRemaining = seconds });
    }
}
