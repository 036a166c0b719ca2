namespace TtsEmulator;

/// <summary>
/// Holds: the response headers wait for an event instead of a fixed time, so a test of overlap, order or a peak
/// passes at any machine speed. A hold ends when any condition set on the rule holds, or when the test releases it
/// (<see cref="EmulatorServer.ReleaseHeld"/>, <c>POST /_emulator/holds/release</c>). It starts after
/// <see cref="EmulatorOptions.Latency"/> and <see cref="DelayHeadersSeconds"/>, and counts as in flight.
/// </summary>
public sealed partial class FaultRule
{
    /// <summary>Hold until this many more requests (control requests aside) have arrived after this one.</summary>
    public int? HoldUntilArrivals { get; set; }

    /// <summary>Hold until this many requests have been answered (their whole body sent) since this one arrived.</summary>
    public int? HoldUntilAnswered { get; set; }

    /// <summary>A barrier: hold until this many requests, this one included, are held at once; then they all go.</summary>
    public int? HoldUntilHeld { get; set; }

    /// <summary>Hold until the test releases it; the only way out besides the safety timeout.</summary>
    public bool HoldUntilReleased { get; set; }

    /// <summary>
    /// The safety net: a hold still waiting after this long answers 500 <c>emulator_hold_timeout</c>, saying which
    /// condition never came, and is listed in <see cref="EmulatorServer.HoldTimeouts"/>, so the test fails loudly.
    /// </summary>
    public double HoldTimeoutSeconds { get; set; } = 60;

    internal bool Holds => HoldUntilArrivals is not null || HoldUntilAnswered is not null || HoldUntilHeld is not null || HoldUntilReleased;
}
