namespace AmebaOta.Fleet;

/// <summary>A snapshot of one board in a fleet run, reported on every change of state and as progress during sending.</summary>
/// <param name="Target">The board.</param>
/// <param name="State">Where it is now.</param>
/// <param name="BytesSent">Image bytes the board has acknowledged in the current attempt (header not counted): what it took, not what the host buffered.</param>
/// <param name="Length">Image length in bytes.</param>
/// <param name="Attempt">1 for the first attempt, 2 for the first retry, …</param>
/// <param name="Elapsed">Since this board's first attempt started.</param>
/// <param name="Error">Why the last attempt failed (kept while retrying; the reason for <see cref="FleetBoardState.Failed"/>).</param>
/// <param name="RebootTime">From the end of sending to the board's announcement after its reboot, when waited for.</param>
public sealed record FleetBoardStatus(
    FleetTarget Target,
    FleetBoardState State,
    long BytesSent,
    long Length,
    int Attempt,
    TimeSpan Elapsed,
    string? Error = null,
    TimeSpan? RebootTime = null)
{
    /// <summary>
    /// With <see cref="FleetBoardState.Failed"/>: the board waits for a reset, no fault of the image: an earlier transfer to
    /// it was cut by a sender that died or stopped and it has not accepted a connection since (a stock push board), or it
    /// ignores updates since an earlier failed one (an OTA UI board stuck at COMPLETED).
    /// </summary>
    public bool NeedsReset { get; init; }

    /// <summary>
    /// The final state is the board's own doing, even if the run was stopped meanwhile (an OTA UI board triggered before a
    /// stop is followed to its end): a failure then counts as one, not as a consequence of the stop.
    /// </summary>
    public bool Decided { get; init; }

    /// <summary>True for <see cref="FleetBoardState.Updated"/>, <see cref="FleetBoardState.Failed"/>, <see cref="FleetBoardState.Skipped"/> and <see cref="FleetBoardState.Cancelled"/>.</summary>
    public bool IsFinal => State is FleetBoardState.Updated or FleetBoardState.Failed or FleetBoardState.Skipped or FleetBoardState.Cancelled;
}
