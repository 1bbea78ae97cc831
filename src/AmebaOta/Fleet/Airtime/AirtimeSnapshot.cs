namespace AmebaOta.Fleet.Airtime;

/// <summary>The airtime budget at one moment, and the most it was used so far.</summary>
/// <param name="MaxBytesPerSecond">The budget (null: none).</param>
/// <param name="MaxConcurrent">The explicit cap on uploads at once (null: none).</param>
/// <param name="BytesPerSecond">Image bytes acknowledged by all boards over the last window, per second: the budget in use.</param>
/// <param name="PeakBytesPerSecond">The most acknowledged over any window so far, per second.</param>
/// <param name="Sending">Boards taking bytes now.</param>
/// <param name="Erasing">Boards started and not taking bytes yet (connecting, erasing): they cost nothing.</param>
/// <param name="Waiting">Boards waiting for their turn.</param>
/// <param name="BoardRate">What one board takes, in bytes per second (measured, or expected until measured).</param>
/// <param name="Erase">The shortest erase seen (connect to first bytes taken), once a board has finished one.</param>
/// <param name="PeakSending">The most boards taking bytes at once so far.</param>
/// <param name="PeakOpen">The most uploads open at once so far.</param>
/// <param name="Started">Turns given so far (a retry counts again).</param>
/// <param name="TotalBytes">Image bytes acknowledged in all.</param>
/// <param name="MeanBytesPerSecond">Total bytes over the time from the first acknowledged byte to the last.</param>
public sealed record AirtimeSnapshot(
    double? MaxBytesPerSecond,
    int? MaxConcurrent,
    double BytesPerSecond,
    double PeakBytesPerSecond,
    int Sending,
    int Erasing,
    int Waiting,
    double BoardRate,
    TimeSpan? Erase,
    int PeakSending,
    int PeakOpen,
    int Started,
    long TotalBytes,
    double MeanBytesPerSecond)
{
    /// <summary>"31.2 of 45 Mbit/s, 12 taking bytes, 20 erasing, 40 waiting".</summary>
    public string Describe() =>
        (MaxBytesPerSecond is { } max ? $"airtime {Megabits(BytesPerSecond)} of {Megabits(max)} Mbit/s" : $"{Megabits(BytesPerSecond)} Mbit/s (no airtime budget)") +
        $", {Sending} taking bytes, {Erasing} erasing or connecting, {Waiting} waiting" + (MaxConcurrent is { } cap ? $" (at most {cap} at once)" : "");

    /// <summary>Bytes per second as Mbit/s, one decimal.</summary>
    public static string Megabits(double bytesPerSecond) => (bytesPerSecond * 8 / 1_000_000).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
