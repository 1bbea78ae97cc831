namespace AmebaOta.Discovery;

/// <summary>Board ids advertised in TXT <c>board</c> and the names the Arduino IDE shows for them (from the board package's boards.txt).</summary>
public static class BoardNames
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ameba_rtl8195a"] = "Ameba RTL8195A",
        ["ameba_rtl8710"] = "Ameba RTL8710",
    };

    /// <summary><c>ameba_rtl8195a</c> → <c>Ameba RTL8195A</c>; an unknown id is shown as it is; none → <c>unknown board</c>.</summary>
    public static string DisplayName(string? boardId) =>
        boardId is null ? "unknown board" : Known.TryGetValue(boardId, out var name) ? name : boardId;
}
