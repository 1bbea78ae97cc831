using System.Globalization;

namespace AmebaOta.Device.Farm;

/// <summary>What a line of the farm control socket's <c>follow</c> stream says.</summary>
public enum FarmFollowKind
{
    /// <summary><c>board	NAME	ADDRESS</c>: one of the farm's boards (sent first, once per board).</summary>
    Board,
    /// <summary><c>serial	NAME	SEQUENCE	TEXT</c>: a line the board printed.</summary>
    Serial,
    /// <summary><c>note	NAME	SEQUENCE	TEXT</c>: a note of the simulator about the board.</summary>
    Note,
}

/// <summary>
/// One line of the <c>follow</c> stream, tab-separated (the text, last, may hold tabs of its own). Replies to commands on
/// the same connection start with <c>ok:</c> or <c>error:</c> and are not follow lines.
/// </summary>
public sealed record FarmFollowLine(FarmFollowKind Kind, string Board, string? Address, long Sequence, string Text)
{
    public static string ForBoard(FarmBoard board) => $"board\t{board.Name}\t{board.Address}";

    public static string ForLine(string board, SerialLine line) =>
        $"{(line.IsNote ? "note" : "serial")}\t{board}\t{line.Sequence.ToString(CultureInfo.InvariantCulture)}\t{line.Text}";

    /// <summary>Reads a follow line; null for anything else (a reply, a line from a newer version).</summary>
    public static FarmFollowLine? Parse(string line)
    {
        var parts = line.Split('\t', 4);
        switch (parts[0])
        {
            case "board" when parts.Length == 3:
                return new FarmFollowLine(FarmFollowKind.Board, parts[1], parts[2], 0, "");
            case "serial" or "note" when parts.Length == 4 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence):
                return new FarmFollowLine(parts[0] == "note" ? FarmFollowKind.Note : FarmFollowKind.Serial, parts[1], null, sequence, parts[3]);
            default:
                return null;
        }
    }
}
