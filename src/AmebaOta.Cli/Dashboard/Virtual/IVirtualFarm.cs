using AmebaOta.Device.Farm;

namespace AmebaOta.Cli.Dashboard.Virtual;

/// <summary>
/// Virtual boards the dashboard can show and control: a farm it runs itself (<c>--farm N</c>) or a running
/// <c>device farm --control PATH</c> it is attached to (<c>--attach PATH</c>).
/// </summary>
public interface IVirtualFarm : IAsyncDisposable
{
    /// <summary>What it is, for people: "20 boards run by the dashboard" or "device farm at /tmp/farm.sock".</summary>
    string Source { get; }

    /// <summary>The boards' names, as far as known.</summary>
    IReadOnlyList<string> Boards { get; }

    /// <summary>Raised when a board becomes known (an attached farm names its boards when it is reached).</summary>
    event Action<string>? BoardAdded;

    /// <summary>The board's serial output kept so far, or null for a board not in the farm.</summary>
    SerialBacklog? Serial(string board);

    /// <summary>Runs a control command (<c>reset</c>, <c>pin 18 high</c>, <c>wifi down</c>, <c>power-cut</c>, <c>status</c>) on a board.</summary>
    Task<ReplyJson> ControlAsync(string board, string command, CancellationToken cancellationToken);
}

/// <summary>Which control commands the page may send (never <c>quit</c>): the first word of each.</summary>
public static class VirtualCommands
{
    private static readonly string[] Allowed = ["reset", "pin", "wifi", "power-cut", "status"];

    /// <summary>Null when <paramref name="command"/> may be sent, else why not.</summary>
    public static string? Check(string command)
    {
        string verb = command.Trim().Split(' ', 2)[0].ToLowerInvariant();
        if (command.Length > Device.Control.BoardControl.MaxLineLength || command.Contains('\n') || command.Contains('\r'))
            return "a command is one line of at most 256 characters";
        return Allowed.Contains(verb) ? null : $"'{(verb.Length > 20 ? verb[..20] + "…" : verb)}' is not a control the page offers: {string.Join(", ", Allowed)}";
    }

    public static ReplyJson Reply(Device.Control.ControlReply? reply) =>
        reply is null ? new ReplyJson(false, "empty command") : new ReplyJson(reply.Ok, reply.Text);
}
