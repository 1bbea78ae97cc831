namespace AmebaOta.Families.AmebaD;

/// <summary>An AmebaD board of Realtek's Arduino package: a short id, the name its <c>boards.txt</c> gives, and its board id there.</summary>
public sealed record AmebaDBoard(string Id, string Name, string BoardsTxtId);

/// <summary>
/// The boards of Realtek's AmebaD Arduino package (<c>ameba-arduino-d</c> <c>Arduino_package/hardware/boards.txt</c>,
/// version 3.1.9). They all run the same boot loader, flash layout and OTA code, and all advertise
/// <c>board=ameba_rtl8721d</c> (the <c>OTA_Basic</c> sketch hard-codes it), so one <see cref="BoardKind.Rtl8721d"/> covers them.
/// There is no AMB24 in the package.
/// </summary>
public static class AmebaDBoards
{
    /// <summary>Every board, in <c>boards.txt</c>'s order (AMB21 and AMB22 share an entry).</summary>
    public static IReadOnlyList<AmebaDBoard> All { get; } =
    [
        new("amb21", "AMB21/AMB22 (RTL8722DM/CSM)", "Ameba_AMB21_AMB22"),
        new("amb22", "AMB21/AMB22 (RTL8722DM/CSM)", "Ameba_AMB21_AMB22"),
        new("amb23", "AMB23 (RTL8722DM)", "Ameba_AMB23"),
        new("bw16", "Ai-Thinker BW16 (RTL8720DN)", "Ai-Thinker_BW16"),
        new("aw-cu488", "SparkFun AzureWave Thing Plus - AW-CU488 (RTL8721DM)", "SparkFun_ThingPlus-AWCU488"),
        new("amb25", "AMB25 (RTL8720DF)", "Ameba_AMB25"),
        new("amb26", "AMB26 (RTL8720DF)", "Ameba_AMB26"),
        new("nora-w30", "u-blox NORA-W30 series (RTL8720DF)", "u-blox_NORA-W30"),
        new("nora-w306", "SparkFun Thing Plus NORA-W306 (RTL8720DF)", "Sparkfun_ThingPlus-NORA-W306"),
        new("datalogger", "Datalogger series (RTL8720DF)", "DataloggerIot"),
    ];

    /// <summary>The board with this id or boards.txt id (case-insensitive), or null.</summary>
    public static AmebaDBoard? Find(string id) => All.FirstOrDefault(b =>
        string.Equals(b.Id, id.Trim(), StringComparison.OrdinalIgnoreCase) || string.Equals(b.BoardsTxtId, id.Trim(), StringComparison.OrdinalIgnoreCase));
}
