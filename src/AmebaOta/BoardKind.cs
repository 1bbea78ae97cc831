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
}

/// <summary>Names of <see cref="BoardKind"/> values as the CLI and TXT records spell them.</summary>
public static class BoardKinds
{
    /// <summary>The id used on the command line: <c>rtl8195a</c>, <c>rtl8710</c> or <c>rtl8721d</c>.</summary>
    public static string Id(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => "rtl8710",
        BoardKind.Rtl8721d => "rtl8721d",
        _ => "rtl8195a",
    };

    /// <summary>The name for people: <c>Ameba RTL8195A</c>, <c>Ameba RTL8710</c>, <c>AmebaD RTL8721D</c>.</summary>
    public static string DisplayName(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => "Ameba RTL8710",
        BoardKind.Rtl8721d => "AmebaD RTL8721D",
        _ => "Ameba RTL8195A",
    };

    /// <summary>Parses an id (<c>rtl8195a</c>, <c>rtl8710</c>, <c>rtl8721d</c>, or an AmebaD board such as <c>bw16</c>), case-insensitively.</summary>
    public static bool TryParse(string text, out BoardKind board)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "rtl8195a" or "8195a" or "ameba_rtl8195a": board = BoardKind.Rtl8195a; return true;
            case "rtl8710" or "8710" or "ameba_rtl8710": board = BoardKind.Rtl8710; return true;
            case "rtl8721d" or "8721d" or "ameba_rtl8721d" or "amebad": board = BoardKind.Rtl8721d; return true;
            case var name when AmebaDBoards.Find(name) is not null: board = BoardKind.Rtl8721d; return true;
            default: board = default; return false;
        }
    }

    /// <summary>The ids <see cref="TryParse"/> takes, for messages: <c>rtl8195a, rtl8710 or rtl8721d</c>.</summary>
    public const string Ids = "rtl8195a, rtl8710 or rtl8721d (or an AmebaD board: bw16, amb21 … amb26)";

    /// <summary>The recovery pin the stock examples use: 18 (PE_5) on RTL8195A, 17 (PA_0) on RTL8710; none on AmebaD (its boot loader reads no pin).</summary>
    public static int DefaultRecoveryPin(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => 17,
        BoardKind.Rtl8721d => Pins.RecoveryPin.Unused,
        _ => 18,
    };
}
