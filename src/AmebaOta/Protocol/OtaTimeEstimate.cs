using AmebaOta.Flash;

namespace AmebaOta.Protocol;

/// <summary>
/// How long a stock board spends on an OTA of <see cref="ImageLength"/> bytes with flash of <see cref="Timing"/>
/// (docs/reference sections 6 and 9): it erases every sector first, reading nothing meanwhile, then programs the image 512 bytes
/// at a time as they arrive, then reads it all back to verify it. Network time is not included.
/// </summary>
public sealed record OtaTimeEstimate(long ImageLength, FlashTiming Timing)
{
    /// <summary>Sectors <c>beginLocal</c> erases: <c>ceil(length / 4096)</c>.</summary>
    public long Sectors => ImageLength <= 0 ? 0 : (ImageLength - 1) / NorFlash.SectorSize + 1;

    /// <summary>The erase before the first image byte is read.</summary>
    public TimeSpan Erase => Timing.Erase(Sectors);

    /// <summary>Programming the image as it arrives: Ameba1's <c>flash_stream_write</c>, a word at a time (a family whose OTA code writes otherwise sets it).</summary>
    public TimeSpan Program { get; init; } = Timing.StreamWrite(0, ImageLength);

    /// <summary>Reading the image back for the checksum, and writing the signature: Ameba1's three words (a family that does otherwise sets it).</summary>
    public TimeSpan Verify { get; init; } = Timing.Read(ImageLength) + Timing.WordProgram * 3;

    /// <summary>Erase + program + verify.</summary>
    public TimeSpan Total => Erase + Program + Verify;

    /// <summary>The estimate for the datasheet's typical values.</summary>
    public static OtaTimeEstimate Typical(long imageLength) => new(imageLength, FlashTiming.Typical);

    /// <summary>The estimate for the datasheet's maxima: what a host must be ready to wait.</summary>
    public static OtaTimeEstimate Slow(long imageLength) => new(imageLength, FlashTiming.Slow);
}

/// <summary>
/// The host's default patience, from the image size: long enough for the slowest chip a stock board may have, so a
/// host never gives up on a board that is only erasing (giving up mid-transfer costs the user a failed update, and with
/// the stock uploader's FIN a hung board).
/// </summary>
public static class OtaUploadBudget
{
    /// <summary>The least stall budget, whatever the size: the stock receiver's own 30 s read timeout.</summary>
    public static readonly TimeSpan MinimumStall = TimeSpan.FromSeconds(30);

    /// <summary>Added to the worst-case erase: scheduling, Wi-Fi retransmissions, a busy host.</summary>
    public static readonly TimeSpan StallMargin = TimeSpan.FromSeconds(15);

    /// <summary>Allowed after the board has every byte for it to verify, reboot, join Wi-Fi and announce itself by mDNS.</summary>
    public static readonly TimeSpan RebootAllowance = TimeSpan.FromSeconds(30);

    /// <summary>The longest the host waits with no byte acknowledged: the slow erase of this image plus a margin, at least 30 s.</summary>
    public static TimeSpan DefaultStall(long imageLength) => DefaultStall(OtaTimeEstimate.Slow(imageLength));

    /// <summary>The same from a family's slow-flash estimate of the update (its erase is what the board does before reading).</summary>
    public static TimeSpan DefaultStall(OtaTimeEstimate slow)
    {
        var budget = slow.Erase + StallMargin;
        return budget > MinimumStall ? budget : MinimumStall;
    }

    /// <summary>
    /// How long <c>--wait-reboot</c> waits after the last byte was acknowledged: the whole slow-profile OTA (erase +
    /// program + verify, in case the board's progress could not be followed) plus the reboot allowance.
    /// </summary>
    public static TimeSpan DefaultRebootWait(long imageLength) => DefaultRebootWait(OtaTimeEstimate.Slow(imageLength));

    /// <summary>The same from a family's slow-flash estimate of the update.</summary>
    public static TimeSpan DefaultRebootWait(OtaTimeEstimate slow) => slow.Total + RebootAllowance;

    /// <summary>
    /// One sentence when <paramref name="stall"/> may be too short for this image (the board may still be erasing when the
    /// host gives up), or null.
    /// </summary>
    public static string? ShortStallWarning(TimeSpan stall, long imageLength) =>
        ShortStallWarning(stall, OtaTimeEstimate.Typical(imageLength), OtaTimeEstimate.Slow(imageLength), "the board prints \"Download fail\"");

    /// <summary>The same from a family's estimates; <paramref name="whenCut"/> says what its board does when the host gives up.</summary>
    public static string? ShortStallWarning(TimeSpan stall, OtaTimeEstimate typical, OtaTimeEstimate slow, string whenCut)
    {
        if (stall >= slow.Erase + StallMargin) return null;
        return $"a timeout of {Seconds(stall)} may be too short: before it reads any image byte the board erases {slow.Sectors} sector{(slow.Sectors == 1 ? "" : "s")}, " +
            $"about {Seconds(typical.Erase)} on typical flash and up to {Seconds(slow.Erase)} on slow flash; if the upload gives up, " +
            $"{whenCut} (default: {Seconds(DefaultStall(slow))})";
    }

    /// <summary>"5.4 s", "48 s": a duration for people.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds switch
    {
        < 1 => $"{t.TotalMilliseconds:0} ms",
        < 10 => $"{t.TotalSeconds:0.#} s",
        _ => $"{t.TotalSeconds:0} s",
    };
}
