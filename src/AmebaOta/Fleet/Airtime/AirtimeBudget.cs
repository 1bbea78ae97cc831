using AmebaOta.Protocol;

namespace AmebaOta.Fleet.Airtime;

/// <summary>
/// How many boards an <see cref="AirtimeScheduler"/> lets take bytes at once: the boards' combined rate of acknowledged
/// image bytes stays within <see cref="MaxBytesPerSecond"/>, and at most <see cref="MaxConcurrent"/> uploads are open.
/// </summary>
public sealed record AirtimeBudget
{
    /// <summary>
    /// The default budget, 45 Mbit/s: an Ameba is a single-stream 802.11n station, and on a 20 MHz 2.4 GHz channel its fastest
    /// rate is MCS 7, 72.2 Mbit/s on air; TCP over such a link carries about 50 Mbit/s at best, and every board on the access
    /// point shares that airtime (docs/fleet.md, "How many boards at once").
    /// </summary>
    public const double DefaultMegabitsPerSecond = 45;

    /// <summary>The most uploads open at once when nothing else limits them (each is a socket and a task on the host).</summary>
    public const int Ceiling = 1024;

    /// <summary>Image bytes per second all boards together may acknowledge; null: no rate budget (only <see cref="MaxConcurrent"/>).</summary>
    public double? MaxBytesPerSecond { get; init; } = MegabitsToBytes(DefaultMegabitsPerSecond);

    /// <summary>The most uploads open at once (the explicit <c>--parallel</c> cap); null: as many as the rate budget allows, up to <see cref="Ceiling"/>.</summary>
    public int? MaxConcurrent { get; init; }

    /// <summary>The sliding window the acknowledged rate is measured over (1 s).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How much of the budget may be in flight, all boards together: bytes handed to the network that no board has
    /// acknowledged yet (50 ms of the budget, 281 KB at the default). Boards can acknowledge those together, on top of
    /// what the pace hands out in the same second, so this bounds how far a second's acknowledged bytes can exceed the
    /// budget (by this much plus the pace's burst). It does not slow the boards: each keeps its TCP window full with a few
    /// KB, and a board reading at its flash's pace empties that window far slower than the host refills it.
    /// </summary>
    public TimeSpan InFlight { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// What one board is expected to take, in bytes per second, until boards have been measured: the pace a stock board
    /// writes an image at on typical flash (<see cref="OtaTimeEstimate"/>), about 106 KB/s.
    /// </summary>
    public double ExpectedBoardRate { get; init; } = TypicalBoardRate;

    /// <summary>The clock (tests use a scaled one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>A budget of <paramref name="megabits"/> Mbit/s (of image bytes acknowledged).</summary>
    public static double MegabitsToBytes(double megabits) => megabits * 1_000_000 / 8;

    /// <summary>The pace of a stock board writing an image on typical flash: a word program per 32-bit word.</summary>
    public static double TypicalBoardRate { get; } = 256 * 1024 / OtaTimeEstimate.Typical(256 * 1024).Program.TotalSeconds;

    /// <summary>The concurrency limit actually applied.</summary>
    internal int EffectiveMaxConcurrent => MaxConcurrent ?? Ceiling;
}
