using AmebaOta.Images;
using AmebaOta.Pins;

namespace AmebaOta.Device.Control;

/// <summary>
/// The commands a running virtual board takes (from <c>device run</c>'s standard input or its control socket), one per
/// line, each answered with one line (<see cref="ControlReply"/>). Bad input gets an <c>error: …</c> line, never an
/// exception. Thread-safe: the board's own state is guarded where it is kept.
/// <list type="bullet">
/// <item><c>reset</c>: press the reset button.</item>
/// <item><c>pin &lt;pin&gt; high|low</c>: an Arduino pin number (18) or a chip pin (PE_5); held across resets, like a jumper.</item>
/// <item><c>wifi down|up</c>: the access point.</item>
/// <item><c>power-cut</c>: cut power at the next flash operation, then boot again (a plain power cycle if nothing is written within the grace time).</item>
/// <item><c>status</c>: boots, booted image, pins, Wi-Fi, listening port, advertised name, flash timing, and what the
/// OTA receiver is doing (<c>erasing sector 37 of 120</c>, <c>downloading 120832 of 491520</c>, hung after a FIN).</item>
/// <item><c>quit</c>: power off cleanly (flash written back, mDNS goodbye).</item>
/// <item><c>help</c>: the list.</item>
/// </list>
/// </summary>
public sealed class BoardControl(VirtualBoard board, PinMap pinMap)
{
    /// <summary>Longest command line taken; longer lines are answered with an error and skipped.</summary>
    public const int MaxLineLength = 256;

    public const string Commands = "reset, pin <pin> high|low, wifi down|up, power-cut, status, quit, help";

    public VirtualBoard Board => board;

    /// <summary>Runs one command line. Null for a blank line or a <c>#</c> comment (nothing to answer).</summary>
    public ControlReply? Execute(string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0 || words[0].StartsWith('#')) return null;
        string verb = words[0].ToLowerInvariant();
        var args = words[1..];
        return verb switch
        {
            "reset" => NoArguments(verb, args) ?? Reset(),
            "pin" => Pin(args),
            "wifi" => Wifi(args),
            "power-cut" or "powercut" => NoArguments(verb, args) ?? PowerCut(),
            "status" => NoArguments(verb, args) ?? ControlReply.Success(Status()),
            "quit" or "exit" => NoArguments(verb, args) ?? new ControlReply(true, "powering off", Quit: true),
            "help" or "?" => ControlReply.Success($"commands: {Commands}"),
            _ => ControlReply.Error($"unknown command '{Shorten(words[0])}' (commands: {Commands})"),
        };
    }

    /// <summary>
    /// Reads commands until <paramref name="input"/> ends or <paramref name="cancellationToken"/> is cancelled, answering
    /// each through <paramref name="reply"/>. The end of the input only ends the reading, never the board. A
    /// <c>quit</c> calls <paramref name="quit"/> after its reply and ends the reading.
    /// </summary>
    public async Task ReadCommandsAsync(TextReader input, Action<string> reply, Action quit, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var (line, tooLong) = await ControlLineReader.ReadLineAsync(input, MaxLineLength, cancellationToken).ConfigureAwait(false);
            if (line is null) return;
            var answer = tooLong ? ControlReply.Error($"command line longer than {MaxLineLength} characters; ignored") : Execute(line);
            if (answer is null) continue;
            reply(answer.ToString());
            if (answer.Quit)
            {
                quit();
                return;
            }
        }
    }

    /// <summary>One line: boots, the booted image and version, pins set, Wi-Fi, the OTA socket, the mDNS name.</summary>
    public string Status()
    {
        var parts = new List<string> { $"boots {board.BootCount}" };
        parts.Add(board.LastBoot switch
        {
            null => "not booted yet",
            { ChosenAddress: null } b => $"booted nothing ({b.OutcomeName})",
            { ChosenAddress: { } address } b => $"booted 0x{address:x} " +
                (b.Sketch is { } s ? $"version {s.Version} ({SketchModes.Id(s.Mode)})" : "(no sketch descriptor)"),
        });
        var pins = board.Pins.Set.OrderBy(p => p.Key.Value)
            .Select(p => $"{PinName(p.Key)}={(p.Value == PinLevel.High ? "high" : "low")}").ToList();
        parts.Add(pins.Count == 0 ? "pins all low" : $"pins {string.Join(',', pins)}");
        parts.Add($"wifi {(board.Wifi.IsUp ? "up" : "down")} ({(board.WifiConnected ? "connected" : "not connected")})");
        parts.Add(board.ListeningOn is { } ep ? $"listening {ep}" : "not listening");
        parts.Add(board.AdvertisedName is { } name ? $"advertised {name}" : "not advertised");
        parts.Add($"flash {board.FlashTiming}");
        if (board.OtaUiState is { } state) parts.Add($"OTA UI state {AmebaOta.Protocol.OtaUi.OtaUiStates.Name(state)}");
        // "waiting for an upload" is what "listening" already says; from the first header byte on, say what the receiver does.
        if (board.OtaActivity.Phase is not (AmebaOta.Protocol.OtaReceiverPhase.Idle or AmebaOta.Protocol.OtaReceiverPhase.WaitingForClient))
            parts.Add($"OTA: {board.OtaActivity.Describe()}");
        return string.Join("; ", parts);
    }

    private ControlReply Reset()
    {
        board.Reset();
        return ControlReply.Success("reset: the board boots again");
    }

    private ControlReply Pin(string[] args)
    {
        if (args.Length != 2) return ControlReply.Error("usage: pin <pin> high|low (an Arduino pin like 18, or a chip pin like PE_5)");
        string levelText = args[1].ToLowerInvariant();
        PinLevel level;
        if (levelText is "high" or "h" or "1") level = PinLevel.High;
        else if (levelText is "low" or "l" or "0") level = PinLevel.Low;
        else return ControlReply.Error($"'{Shorten(args[1])}' is not a pin level: use high or low");
        if (PinLevels.ResolvePin(args[0], pinMap, out var chip) is { } error) return ControlReply.Error(Shorten(error, 200));
        board.Pins[chip] = level;
        return ControlReply.Success($"pin {PinName(chip)} {(level == PinLevel.High ? "high" : "low")}: read at the next reset (reset to apply)");
    }

    private ControlReply Wifi(string[] args)
    {
        if (args.Length != 1 || args[0].ToLowerInvariant() is not ("up" or "down")) return ControlReply.Error("usage: wifi down|up");
        bool up = args[0].Equals("up", StringComparison.OrdinalIgnoreCase);
        bool changed = board.Wifi.SetUp(up);
        string state = up ? "up" : "down";
        return ControlReply.Success(changed ? $"wifi {state}" : $"wifi was already {state}");
    }

    private ControlReply PowerCut() => board.PowerCut()
        ? ControlReply.Success("power cut at the next flash operation (or a plain power cycle if none comes soon); then the board boots again")
        : ControlReply.Error("the board is not running");

    private static ControlReply? NoArguments(string verb, string[] args) =>
        args.Length == 0 ? null : ControlReply.Error($"{verb} takes no arguments");

    private string PinName(ChipPin chip) => pinMap.ToArduino(chip) is { } arduino ? $"{arduino} ({chip.Name})" : chip.Name;

    private static string Shorten(string text, int max = 40) => text.Length <= max ? text : text[..max] + "…";
}
