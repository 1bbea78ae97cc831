using System.Globalization;

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// What the AmebaPro2 boot code compares between its two firmware slots (<c>IMG_SELECT_LATEST_LOAD_CORE</c>,
/// <c>fw_img_tlv.h</c>): the manifest VERSION first (higher wins), then TIMST (the newer wins; a tie goes to FW2).
/// </summary>
public readonly record struct Pro2BuildStamp(int VersionLevel, ulong Timestamp)
{
    /// <summary>The stamp of the slot the boot code picks: FW2 when its version is higher, or equal with a timestamp at least as new.</summary>
    public static int ChooseSlot(Pro2BuildStamp fw1, Pro2BuildStamp fw2) =>
        fw2.VersionLevel > fw1.VersionLevel ? 2
        : fw2.VersionLevel < fw1.VersionLevel ? 1
        : fw2.Timestamp >= fw1.Timestamp ? 2 : 1;

    /// <summary>
    /// Whether a board running <paramref name="running"/> boots <paramref name="candidate"/> once it is written into the
    /// other slot (<paramref name="candidateSlot"/>, 1 or 2): strictly newer always; an exact tie only in FW2.
    /// </summary>
    public static bool WouldBoot(Pro2BuildStamp running, Pro2BuildStamp candidate, int candidateSlot) =>
        candidateSlot == 2 ? ChooseSlot(running, candidate) == 2 : ChooseSlot(candidate, running) == 1;

    /// <summary>True when <paramref name="candidate"/> boots over <paramref name="running"/> whichever slot it lands in.</summary>
    public static bool IsNewer(Pro2BuildStamp candidate, Pro2BuildStamp running) =>
        candidate.VersionLevel > running.VersionLevel || (candidate.VersionLevel == running.VersionLevel && candidate.Timestamp > running.Timestamp);

    /// <summary>The timestamp as UTC, for people (null when it is past what a date can hold).</summary>
    public DateTimeOffset? Time => Timestamp <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.FromUnixTimeSeconds((long)Timestamp) : null;

    /// <summary><c>version 1, built 2025-01-31 15:19:16 UTC</c>.</summary>
    public override string ToString() =>
        $"version {VersionLevel}, built {(Time is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : $"at {Timestamp}")}";
}
