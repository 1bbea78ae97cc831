using AmebaOta.Families.AmebaD;

namespace AmebaOta;

/// <summary>The Ameba board models, as the sketch descriptor's board byte records them.</summary>
public enum BoardKind : byte
{
    /// <summary>Ameba RTL8195A (the Ameba Arduino board).</summary>
    Rtl8195a = 0,
    /// <summary>Ameba RTL8710 (smaller module; different pin map).</summary>
    Rtl8710 = 1,
    /// <summary>AmebaD RTL8721D family (BW16, AMB21–AMB26 and the other boards of Realtek's AmebaD Arduino package): one model, since they update alike.</summary>
    Rtl8721d = 2,
    /// <summary>AmebaPro2 RTL8735B: the AMB82-mini.</summary>
    Rtl8735b = 3,
}

/// <summary>Names of <see cref="BoardKind"/> values as the CLI and TXT records spell them.</summary>
public static class BoardKinds
{
    /// <summary>Every model this version knows.</summary>
    public static IReadOnlyList<BoardKind> All { get; } = Enum.GetValues<BoardKind>();

    /// <summary>True for a board byte this version knows.</summary>
    public static bool IsKnown(byte value) => All.Contains((BoardKind)value);

    /// <summary>The id used on the command line: <c>rtl8195a</c>, <c>rtl8710</c>, <c>rtl8721d</c> or <c>rtl8735b</c>.</summary>
    public static string Id(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => "rtl8710",
        BoardKind.Rtl8721d => "rtl8721d",
        BoardKind.Rtl8735b => "rtl8735b",
        _ => "rtl8195a",
    };

    /// <summary>The name for people: <c>Ameba RTL8195A</c>, <c>Ameba RTL8710</c>, <c>AmebaD RTL8721D</c>, <c>AMB82-MINI</c>.</summary>
    public static string DisplayName(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => "Ameba RTL8710",
        BoardKind.Rtl8721d => "AmebaD RTL8721D",
        BoardKind.Rtl8735b => "AMB82-MINI",
        _ => "Ameba RTL8195A",
    };

    /// <summary>Parses an id (<c>rtl8195a</c>, <c>rtl8710</c>, <c>rtl8721d</c>, an AmebaD board such as <c>bw16</c>, <c>rtl8735b</c> or <c>amb82-mini</c>), case-insensitively.</summary>
    public static bool TryParse(string text, out BoardKind board)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "rtl8195a" or "8195a" or "ameba_rtl8195a": board = BoardKind.Rtl8195a; return true;
            case "rtl8710" or "8710" or "ameba_rtl8710": board = BoardKind.Rtl8710; return true;
            case "rtl8721d" or "8721d" or "ameba_rtl8721d" or "amebad": board = BoardKind.Rtl8721d; return true;
            case "rtl8735b" or "8735b" or "amb82-mini" or "amb82mini" or "amb82" or "amebapro2": board = BoardKind.Rtl8735b; return true;
            case var name when AmebaDBoards.Find(name) is not null: board = BoardKind.Rtl8721d; return true;
            default: board = default; return false;
        }
    }

    /// <summary>The ids <see cref="TryParse"/> takes, for messages.</summary>
    public const string Ids = "rtl8195a, rtl8710, rtl8721d (or an AmebaD board: bw16, amb21 … amb26) or rtl8735b (amb82-mini)";

    /// <summary>The recovery pin the stock examples use: 18 (PE_5) on RTL8195A, 17 (PA_0) on RTL8710; none on AmebaD and AmebaPro2 (their boot code reads no pin).</summary>
    public static int DefaultRecoveryPin(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => 17,
        BoardKind.Rtl8721d or BoardKind.Rtl8735b => Pins.RecoveryPin.Unused,
        _ => 18,
    };
}
