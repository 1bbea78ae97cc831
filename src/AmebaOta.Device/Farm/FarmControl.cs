using AmebaOta.Device.Control;
using AmebaOta.Pins;

namespace AmebaOta.Device.Farm;

/// <summary>
/// The controls of every board of a <see cref="DeviceFarm"/>, one command line at a time: <c>&lt;board&gt; &lt;command&gt;</c>
/// runs a <see cref="BoardControl"/> command on that board (<c>MyAmeba-007 reset</c>, <c>MyAmeba-007 pin 18 high</c>);
/// <c>boards</c> lists them; <c>help</c>. Each command gets one reply line. A board cannot <c>quit</c> on its own: the farm
/// stops as a whole.
/// </summary>
public sealed class FarmControl
{
    public const string Commands = "<board> <command> (" + BoardControl.Commands + "), boards, follow, help";

    private readonly IReadOnlyList<FarmBoard> _boards;
    private readonly Dictionary<string, BoardControl> _controls;

    /// <param name="boards">The farm's boards.</param>
    /// <param name="pinMap">How Arduino pin numbers map to chip pins for <c>pin</c> (the board variant of the farm's image).</param>
    public FarmControl(IReadOnlyList<FarmBoard> boards, PinMap pinMap)
    {
        _boards = boards;
        _controls = boards.ToDictionary(b => b.Name, b => new BoardControl(b.Board, pinMap), StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<FarmBoard> Boards => _boards;

    /// <summary>The control of the board named <paramref name="name"/> (case-insensitive), or null.</summary>
    public BoardControl? For(string name) => _controls.GetValueOrDefault(name);

    /// <summary>Runs one command line; null for a blank line or a <c>#</c> comment.</summary>
    public ControlReply? Execute(string line)
    {
        string text = line.Trim();
        if (text.Length == 0 || text.StartsWith('#')) return null;
        if (text.Equals("boards", StringComparison.OrdinalIgnoreCase))
            return ControlReply.Success($"{_boards.Count} boards: {string.Join(", ", _boards.Select(b => $"{b.Name} {b.Address}"))}");
        if (text.Equals("help", StringComparison.OrdinalIgnoreCase) || text == "?")
            return ControlReply.Success($"commands: {Commands}");
        var (control, command) = Split(text);
        if (control is null)
            return ControlReply.Error($"no board named '{Shorten(text.Split(' ')[0])}' in this farm (commands: {Commands})");
        if (command.Length == 0) return ControlReply.Error($"give a command after the board's name: {BoardControl.Commands}");
        var reply = control.Execute(command);
        if (reply is { Quit: true }) return ControlReply.Error("a farm board cannot quit on its own: stop the farm (Ctrl+C) or cut its power (power-cut)");
        return reply;
    }

    /// <summary>The board whose name starts the line (the longest such name: names may contain spaces), and the rest.</summary>
    private (BoardControl? Control, string Command) Split(string text)
    {
        FarmBoard? best = null;
        foreach (var b in _boards)
        {
            if (text.Length < b.Name.Length || !text.StartsWith(b.Name, StringComparison.OrdinalIgnoreCase)) continue;
            if (text.Length > b.Name.Length && !char.IsWhiteSpace(text[b.Name.Length])) continue;
            if (best is null || b.Name.Length > best.Name.Length) best = b;
        }
        return best is null ? (null, "") : (_controls[best.Name], text[best.Name.Length..].Trim());
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
