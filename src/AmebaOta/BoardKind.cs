namespace AmebaOta;

/// <summary>The two Ameba board variants the Arduino package supports.</summary>
public enum BoardKind : byte
{
    /// <summary>Ameba RTL8195A (the Ameba Arduino board).</summary>
    Rtl8195a = 0,
    /// <summary>Ameba RTL8710 (smaller module; different pin map).</summary>
    Rtl8710 = 1,
}

/// <summary>Names of <see cref="BoardKind"/> values as the CLI and TXT records spell them.</summary>
public static class BoardKinds
{
    /// <summary>The id used on the command line: <c>rtl8195a</c> or <c>rtl8710</c>.</summary>
    public static string Id(BoardKind board) => board == BoardKind.Rtl8710 ? "rtl8710" : "rtl8195a";

    /// <summary>The name the Arduino IDE shows: <c>Ameba RTL8195A</c> or <c>Ameba RTL8710</c>.</summary>
    public static string DisplayName(BoardKind board) => board == BoardKind.Rtl8710 ? "Ameba RTL8710" : "Ameba RTL8195A";

    /// <summary>Parses an id (<c>rtl8195a</c>, <c>rtl8710</c>), case-insensitively.</summary>
    public static bool TryParse(string text, out BoardKind board)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "rtl8195a" or "8195a" or "ameba_rtl8195a": board = BoardKind.Rtl8195a; return true;
            case "rtl8710" or "8710" or "ameba_rtl8710": board = BoardKind.Rtl8710; return true;
            default: board = default; return false;
        }
    }

    /// <summary>The recovery pin the stock examples use: 18 (PE_5) on RTL8195A, 17 (PA_0) on RTL8710.</summary>
    public static int DefaultRecoveryPin(BoardKind board) => board == BoardKind.Rtl8710 ? 17 : 18;
}
