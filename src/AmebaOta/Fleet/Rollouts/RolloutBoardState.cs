namespace AmebaOta.Fleet.Rollouts;

/// <summary>Where a board is in a rollout, named as Mender names a device's deployment status.</summary>
public enum RolloutBoardState
{
    /// <summary>Not yet sent (its stage has not come, or the rollout was stopped before it).</summary>
    Pending,
    /// <summary>Connecting, sending, or waiting to retry.</summary>
    Uploading,
    /// <summary>Sent; waiting for it to announce itself again after its reboot.</summary>
    Rebooting,
    /// <summary>Updated (and seen back after its reboot, when waited for). Final.</summary>
    Success,
    /// <summary>The upload failed or the board did not come back. Final.</summary>
    Failure,
    /// <summary>Its last verified update is this image already: not resent. Final.</summary>
    AlreadyInstalled,
    /// <summary>Cut short or never started because the rollout stopped; a resumed rollout sends it again.</summary>
    Aborted,
    /// <summary>
    /// Cut mid-transfer by us (the rollout's process died or was stopped) and not listening since: a stock <c>ota_basic</c>
    /// board listens again only after a reset. Not a failure of the image (not counted against <c>--max-failures</c>); a
    /// later resume sends it again.
    /// </summary>
    NeedsReset,
}

/// <summary>The state names the database, the JSON and the table use.</summary>
public static class RolloutBoardStateNames
{
    /// <summary><c>pending</c>, <c>uploading</c>, <c>rebooting</c>, <c>success</c>, <c>failure</c>, <c>already-installed</c>, <c>aborted</c>, <c>needs-reset</c>.</summary>
    public static string Name(this RolloutBoardState state) => state switch
    {
        RolloutBoardState.Pending => "pending",
        RolloutBoardState.Uploading => "uploading",
        RolloutBoardState.Rebooting => "rebooting",
        RolloutBoardState.Success => "success",
        RolloutBoardState.Failure => "failure",
        RolloutBoardState.AlreadyInstalled => "already-installed",
        RolloutBoardState.Aborted => "aborted",
        RolloutBoardState.NeedsReset => "needs-reset",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The state named <paramref name="name"/>; unknown names read as pending (so they are never taken for done).</summary>
    public static RolloutBoardState Parse(string name) => name switch
    {
        "uploading" => RolloutBoardState.Uploading,
        "rebooting" => RolloutBoardState.Rebooting,
        "success" => RolloutBoardState.Success,
        "failure" => RolloutBoardState.Failure,
        "already-installed" => RolloutBoardState.AlreadyInstalled,
        "aborted" => RolloutBoardState.Aborted,
        "needs-reset" => RolloutBoardState.NeedsReset,
        _ => RolloutBoardState.Pending,
    };

    /// <summary>True for success, failure and already-installed: a resumed rollout never sends to these again.</summary>
    public static bool IsDone(this RolloutBoardState state) =>
        state is RolloutBoardState.Success or RolloutBoardState.Failure or RolloutBoardState.AlreadyInstalled;
}
