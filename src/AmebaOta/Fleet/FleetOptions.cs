namespace AmebaOta.Fleet;

/// <summary>How a <see cref="FleetUpdater"/> runs.</summary>
public sealed record FleetOptions
{
    /// <summary>
    /// Image bytes per second all the boards together may acknowledge (the airtime budget; default 45 Mbit/s,
    /// <see cref="Airtime.AirtimeBudget.DefaultMegabitsPerSecond"/>). Null: no budget, only <see cref="MaxParallel"/> limits.
    /// </summary>
    public double? MaxBytesPerSecond { get; init; } = Airtime.AirtimeBudget.MegabitsToBytes(Airtime.AirtimeBudget.DefaultMegabitsPerSecond);

    /// <summary>The most uploads at once (an explicit cap); null (the default): as many as <see cref="MaxBytesPerSecond"/> allows.</summary>
    public int? MaxParallel { get; init; }

    /// <summary>Per board: longest wait for the TCP connection (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = Protocol.OtaUploadOptions.DefaultConnectTimeout;

    /// <summary>
    /// Per board: longest wait with no byte acknowledged. Null (the default): from the image size, long enough for the
    /// slowest erase a stock board may do before it reads anything (<see cref="Protocol.OtaUploadBudget.DefaultStall(long)"/>).
    /// </summary>
    public TimeSpan? StallTimeout { get; init; }

    /// <summary>Further attempts after a failed upload (default 2). A board that took the image but did not come back is not retried.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>
    /// Pause before a retry (default 1 s). After an attempt that failed once connected the pause is at least
    /// <see cref="ReceiverRestartDelay"/>: the board's receiver failed too, and an <c>ota_non_block</c> board listens again
    /// only after its 10 s retry wait (an <c>ota_basic</c> board never does, until reset).
    /// </summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The least pause before retrying a board whose transfer failed: <c>ota_non_block</c>'s 10 s, plus a second.</summary>
    public TimeSpan ReceiverRestartDelay { get; init; } = TimeSpan.FromSeconds(11);

    /// <summary>When set, a board counts as updated only once it has announced itself again by mDNS within this time after sending.</summary>
    public TimeSpan? WaitReboot { get; init; }

    /// <summary>Network interface to watch mDNS on for <see cref="WaitReboot"/> (name or address; null: every multicast interface).</summary>
    public string? Interface { get; init; }

    /// <summary>Bytes per send (default 16 KiB).</summary>
    public int ChunkSize { get; init; } = 16 * 1024;
}
