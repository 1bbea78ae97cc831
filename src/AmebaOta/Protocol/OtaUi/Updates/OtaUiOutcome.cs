namespace AmebaOta.Protocol.OtaUi.Updates;

/// <summary>Where the judge is in one board's update.</summary>
public enum OtaUiStep
{
    /// <summary>Waiting for the board's heartbeat (it must beat here, idle, before it is triggered).</summary>
    WaitingForHeartbeat,
    /// <summary>Sending <c>start_ota</c>.</summary>
    Triggering,
    /// <summary>Triggered; waiting for the board to ask for its image.</summary>
    WaitingForDownload,
    /// <summary>The board is taking the image.</summary>
    Downloading,
    /// <summary>The board took every byte; waiting for it to restart and beat again.</summary>
    Rebooting,
    /// <summary>Decided: see <see cref="OtaUiOutcome"/>.</summary>
    Finished,
}

/// <summary>How one board's update ended.</summary>
public enum OtaUiResult
{
    /// <summary>The board took the whole image, restarted and beats again.</summary>
    Updated,
    /// <summary>The update started and failed: the board keeps its old firmware and ignores triggers until it is reset.</summary>
    Failed,
    /// <summary>The update never started (no heartbeat, busy, stuck since an earlier failure, trigger not delivered, no download).</summary>
    NotStarted,
    /// <summary>The board took the whole image and never beat again.</summary>
    NotBack,
}

/// <summary>What the judge decided about one board, and what it saw to decide it.</summary>
/// <param name="Result">Updated, failed, not started, not back.</param>
/// <param name="Reason">One sentence: what happened.</param>
/// <param name="Advice">What to do now, when something is to be done.</param>
/// <param name="NeedsReset">True when the board ignores triggers until it is reset (a failed update leaves it so).</param>
/// <param name="Evidence">What was observed, in order, each line with its time since the judge started.</param>
/// <param name="Acked">Image bytes the board acknowledged.</param>
/// <param name="Total">Image bytes served.</param>
/// <param name="RebootTime">From the last byte acknowledged to the first heartbeat after the restart.</param>
/// <param name="LibraryHint">The library the trigger's echo suggests (<c>amebapro2</c>, <c>amebad</c>), when it suggests one.</param>
public sealed record OtaUiOutcome(
    OtaUiResult Result,
    string Reason,
    string? Advice,
    bool NeedsReset,
    IReadOnlyList<string> Evidence,
    long Acked,
    long Total,
    TimeSpan? RebootTime,
    string? LibraryHint)
{
    /// <summary>The word scripts and logs use: <c>updated</c>, <c>failed</c>, <c>not-started</c>, <c>not-back</c>.</summary>
    public string Word => OtaUiResults.Word(Result);
}

/// <summary>Words for <see cref="OtaUiResult"/> and <see cref="OtaUiStep"/>.</summary>
public static class OtaUiResults
{
    /// <summary><c>updated</c>, <c>failed</c>, <c>not-started</c>, <c>not-back</c>.</summary>
    public static string Word(OtaUiResult result) => result switch
    {
        OtaUiResult.Updated => "updated",
        OtaUiResult.Failed => "failed",
        OtaUiResult.NotStarted => "not-started",
        _ => "not-back",
    };

    /// <summary><c>waiting for heartbeat</c>, <c>triggering</c>, <c>waiting for download</c>, <c>downloading</c>, <c>rebooting</c>, <c>finished</c>.</summary>
    public static string Word(OtaUiStep step) => step switch
    {
        OtaUiStep.WaitingForHeartbeat => "waiting for heartbeat",
        OtaUiStep.Triggering => "triggering",
        OtaUiStep.WaitingForDownload => "waiting for download",
        OtaUiStep.Downloading => "downloading",
        OtaUiStep.Rebooting => "rebooting",
        _ => "finished",
    };
}

/// <summary>How long the judge waits for each thing.</summary>
public sealed record OtaUiJudgeSettings
{
    /// <summary>For a first heartbeat when the board has not beaten lately (a stock board beats every 3.5 s).</summary>
    public TimeSpan HeartbeatWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>For the board's download to start once it echoed the trigger (it starts at once when idle).</summary>
    public TimeSpan StartWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>For the board's first heartbeat after it took the last byte (restart, Wi-Fi, the sketch's own waits).</summary>
    public TimeSpan RebootWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A board still beating, without a restart, this long after its last byte did not take the image.</summary>
    public TimeSpan NoRestartWait { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Between two <c>COMPLETED</c> heartbeats after the download, proof that the board is not restarting.</summary>
    public TimeSpan CompletedConfirm { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A stock board's heartbeat interval (500 ms, close, 3 s sleep), until the board's own is measured.</summary>
    public TimeSpan NominalInterval { get; init; } = OtaUiTiming.Real.HeartbeatPeriod;

    /// <summary>Longest a heartbeat may take from reading the state to reaching the server (its connect and send).</summary>
    public TimeSpan StaleWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A pause in the heartbeats longer than the board's interval by this much means it restarted.</summary>
    public TimeSpan RestartMargin { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Every wait divided by <paramref name="factor"/>, for boards whose clock runs that much faster (tests).</summary>
    public OtaUiJudgeSettings Faster(double factor)
    {
        if (!(factor >= 1)) throw new ArgumentOutOfRangeException(nameof(factor), "the speed-up is at least 1");
        return new OtaUiJudgeSettings
        {
            HeartbeatWait = HeartbeatWait / factor,
            StartWait = StartWait / factor,
            RebootWait = RebootWait / factor,
            NoRestartWait = NoRestartWait / factor,
            CompletedConfirm = CompletedConfirm / factor,
            NominalInterval = NominalInterval / factor,
            RestartMargin = RestartMargin / factor,
            StaleWindow = StaleWindow / factor,
        };
    }
}
