namespace AmebaOta.Discovery;

/// <summary>
/// Board ids advertised in TXT <c>board</c> and the names Arduino IDE 1.8 shows for them: the <c>name</c> of that board in
/// the installed package's boards.txt (Realtek's Ameba1 package: docs/reference section 5).
/// </summary>
public static class BoardNames
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ameba_rtl8195a"] = "RTL8195AM",
        ["ameba_rtl8710"] = "RTL8710AF",
        ["ameba_rtl81711am"] = "RTL8711AM",
    };

    /// <summary><c>ameba_rtl8195a</c> → <c>RTL8195AM</c>; an unknown id is shown as it is; none → <c>unknown board</c>.</summary>
    public static string DisplayName(string? boardId) =>
        boardId is null ? "unknown board" : Known.TryGetValue(boardId, out var name) ? name : boardId;
}
