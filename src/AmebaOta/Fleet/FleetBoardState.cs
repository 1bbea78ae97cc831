namespace AmebaOta.Fleet;

/// <summary>Where one board of a fleet run is. <see cref="Updated"/>, <see cref="Failed"/>, <see cref="Skipped"/> and <see cref="Cancelled"/> are final.</summary>
public enum FleetBoardState
{
    /// <summary>Waiting for its turn (the airtime budget, or the cap on uploads at once).</summary>
    Queued,
    /// <summary>Opening the TCP connection to the OTA port.</summary>
    Connecting,
    /// <summary>Connected; the board took the header and is erasing its OTA region (it reads nothing meanwhile).</summary>
    BoardErasing,
    /// <summary>The board is taking the image.</summary>
    Sending,
    /// <summary>Sent; waiting for the board to announce itself again by mDNS (<see cref="FleetOptions.WaitReboot"/>).</summary>
    WaitingForReboot,
    /// <summary>An attempt failed; waiting <see cref="FleetOptions.RetryDelay"/> before the next one.</summary>
    Retrying,
    /// <summary>Sent (and, with <see cref="FleetOptions.WaitReboot"/>, seen back after its reboot).</summary>
    Updated,
    /// <summary>Every attempt failed, or the board did not come back; <see cref="FleetBoardStatus.Error"/> says why.</summary>
    Failed,
    /// <summary>Not attempted: the run was cancelled first.</summary>
    Skipped,
    /// <summary>Under way when the run was cancelled (Ctrl+C): the connection, if open, was reset; the board keeps its old image.</summary>
    Cancelled,
}
