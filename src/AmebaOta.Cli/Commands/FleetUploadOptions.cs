using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Commands;

/// <summary>The boards a fleet command updates: found by mDNS (and matched) or given by address.</summary>
/// <param name="Targets">The boards to update.</param>
/// <param name="NotMatched">Boards found that did not match the pattern.</param>
/// <param name="Pattern">The <c>--match</c> pattern.</param>
/// <param name="Conflicts">Matching names that answered from several addresses, skipped (no <c>--ip</c> said which).</param>
/// <param name="Silent">Boards the history has seen by mDNS that match but did not answer this time.</param>
public sealed record FleetTargets(List<FleetTarget> Targets, int NotMatched, string? Pattern, IReadOnlyList<DiscoveredService> Conflicts, IReadOnlyList<BoardSummary> Silent)
{
    public FleetTargets(List<FleetTarget> targets) : this(targets, 0, null, [], []) { }

    /// <summary>One line for each skipped conflict and each silent known board.</summary>
    public IEnumerable<string> Warnings =>
        Conflicts.Select(c => $"{c.InstanceName} answered by mDNS from {c.AllAddresses.Count} addresses ({string.Join(", ", c.AllAddresses)}): " +
                $"a duplicate name or an impostor; skipped (give --ip ADDRESS with --match to say which is the board)")
            .Concat(Silent.Select(b => $"{b.Name} did not answer (known since {b.FirstSeen:yyyy-MM-dd}, last seen {b.LastSeen:yyyy-MM-dd HH:mm} UTC" +
                (b.Address is null ? "" : $" at {b.Address}") + "): not updated"));
}

/// <summary>
/// Every option of <c>fleet upload</c> (but the image argument), made once per command: <c>fleet upload</c> and
/// <c>fleet rollout</c> both add them, so the two commands always take the same options, spelt the same.
/// </summary>
public sealed class FleetUploadOptions
{
    public Option<string?> Match { get; } = new("--match") { Description = "Update the boards whose mDNS instance name matches this pattern (* and ?, case-insensitive); default: every board found" };
    public Option<string[]> Ips { get; } = new("--ip", "-i")
    {
        Description = "Update the board at this address (ADDRESS or ADDRESS:PORT) instead of discovering; repeatable. With --match: only says which " +
            "address is the board when a name answers by mDNS from several",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<int> Port { get; } = new("--port", "-p") { Description = "OTA port of the boards given with --ip", DefaultValueFactory = _ => UploadCommand.DefaultPort };
    public Option<string?> Interface { get; } = DiscoverCommands.InterfaceOption();
    public Option<double> DiscoverTimeout { get; } = new("--discover-timeout") { Description = "Seconds to listen for boards by mDNS", DefaultValueFactory = _ => 3 };
    public Option<int?> Parallel { get; } = new("--parallel")
    {
        Description = "The most boards updated at once (a cap); default: as many as --max-rate allows, boards erasing or rebooting not counted",
        HelpName = "N",
    };
    public Option<double> MaxRate { get; } = new("--max-rate")
    {
        Description = "Airtime budget in Mbit/s: image bytes all boards together may acknowledge per second; the next board starts when " +
            "the boards taking bytes (not those erasing or rebooting) leave room for it. 0: no budget (--parallel alone)",
        DefaultValueFactory = _ => AirtimeBudget.DefaultMegabitsPerSecond,
        HelpName = "MBIT/S",
    };
    public Option<double?> Timeout { get; } = UploadTimeoutOption.Create();
    public Option<double?> WaitReboot { get; } = WaitRebootOption.Create("a board that does not counts as not updated (exit 8)");
    public Option<int> Retries { get; } = new("--retries") { Description = "Further attempts for a board whose upload failed (not for one that took the image but did not come back)", DefaultValueFactory = _ => 2 };
    public Option<double> RetryDelay { get; } = new("--retry-delay") { Description = "Seconds to wait before a retry", DefaultValueFactory = _ => 1 };
    public Option<bool> Force { get; } = new("--force") { Description = "Send even an image the checks refuse (too large, no RTKWin, ram_all.bin): can brick stock boards" };
    public Option<bool> Json { get; } = new("--json") { Description = "Write one JSON object per line instead of text" };
    public Option<string?> Db { get; } = HistoryDatabase.Option();

    public IEnumerable<Option> All => [Match, Ips, Port, Interface, DiscoverTimeout, Parallel, MaxRate, Timeout, WaitReboot, Retries, RetryDelay, Force, Json, Db];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Add(option);
    }

    /// <summary>How the uploads run, for an image of <paramref name="imageLength"/> bytes; <paramref name="timeoutWarning"/> says why a given --timeout may be too short.</summary>
    public FleetOptions ReadFleetOptions(ParseResult parse, long imageLength, out string? timeoutWarning)
    {
        var upload = UploadTimeoutOption.Read(parse, Timeout, imageLength, out timeoutWarning);
        return new FleetOptions
        {
            MaxParallel = parse.GetValue(Parallel) is { } parallel ? InRange(parallel, 1, AirtimeBudget.Ceiling, "--parallel") : null,
            MaxBytesPerSecond = InRange(parse.GetValue(MaxRate), 0, 100_000, "--max-rate") is > 0 and var rate ? AirtimeBudget.MegabitsToBytes(rate) : null,
            ConnectTimeout = upload.ConnectTimeout,
            StallTimeout = upload.StallTimeout,
            Retries = InRange(parse.GetValue(Retries), 0, 100, "--retries"),
            RetryDelay = TimeSpan.FromSeconds(InRange(parse.GetValue(RetryDelay), 0, 3600, "--retry-delay")),
            WaitReboot = WaitRebootOption.Read(parse, WaitReboot, imageLength),
            Interface = parse.GetValue(Interface),
        };
    }

    /// <summary>Makes room for a connection to each board that may be under way at once (the system's limit on open files); warns when the system will not.</summary>
    public static void EnsureDescriptors(int boards, FleetOptions options)
    {
        long atOnce = Math.Min(boards, options.MaxParallel ?? AirtimeBudget.Ceiling);
        if (Native.FileDescriptorLimit.Ensure(atOnce + 64, $"updating {atOnce} boards at once") is { } limit) Diagnostics.Warning(limit);
    }

    /// <summary>The boards to update: <c>--ip</c> addresses, or the boards mDNS finds (recorded as seen in the history) that match <c>--match</c>.</summary>
    public async Task<FleetTargets> FindTargetsAsync(ParseResult parse, string? iface, BestEffortHistory history, CancellationToken cancellationToken)
    {
        string? pattern = parse.GetValue(Match);
        var addresses = parse.GetValue(Ips) ?? [];
        int port = InRange(parse.GetValue(Port), 1, 65535, "--port");
        if (addresses.Length > 0 && pattern is null)
            return new FleetTargets(addresses.Select(a => ParseAddress(a, port)).Select(ep => new FleetTarget(ep.ToString(), ep)).DistinctBy(t => t.EndPoint).ToList());
        var chosen = addresses.Select(a => ParseAddress(a, port).Address).ToHashSet();
        double seconds = Positive(parse.GetValue(DiscoverTimeout), 3600, "--discover-timeout");
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = iface });
        var found = await browser.BrowseAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
        history.Try(s => s.RecordSightings(found.Select(BoardSighting.Of)));
        var matching = found.Where(s => pattern is null || NameGlob.Matches(pattern, s.InstanceName)).ToList();
        // A name that answered from several addresses is never picked silently: --ip says which, or it is skipped.
        var conflicts = matching.Where(s => s.Conflicting && !s.AllAddresses.Any(chosen.Contains)).ToList();
        var targets = matching.Except(conflicts).OrderBy(s => s.InstanceName, StringComparer.OrdinalIgnoreCase)
            .Select(s => new FleetTarget(s.InstanceName, new IPEndPoint(s.Conflicting ? s.AllAddresses.First(chosen.Contains) : s.Address, s.Port), ByName: true))
            .DistinctBy(t => t.EndPoint).ToList();
        var answered = found.Select(s => s.InstanceName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var silent = history.Try(s => s.Boards(), [])
            .Where(b => b.LastSeen is not null && !answered.Contains(b.Name) && (pattern is null || NameGlob.Matches(pattern, b.Name))).ToList();
        if (targets.Count == 0 && conflicts.Count == 0)
            throw new CliError(ExitCodes.NotFound, found.Count == 0
                ? $"no board answered by mDNS within {seconds:0.###} s{(iface is null ? "" : $" on {iface}")}" + SilentNote(silent)
                : $"none of the {found.Count} boards found matches '{pattern}' ({string.Join(", ", found.Select(s => s.InstanceName).Take(5))}{(found.Count > 5 ? ", ..." : "")})" +
                  SilentNote(silent));
        return new FleetTargets(targets, found.Count - matching.Count, pattern, conflicts, silent);
    }

    private static string SilentNote(IReadOnlyList<BoardSummary> silent) =>
        silent.Count == 0 ? "" : $"; the history knows {silent.Count} matching board{(silent.Count == 1 ? "" : "s")} that did not answer " +
            $"({string.Join(", ", silent.Select(b => b.Name).Take(5))}{(silent.Count > 5 ? ", ..." : "")})";

    /// <summary>"192.168.1.50" (with --port) or "192.168.1.50:5001".</summary>
    private static IPEndPoint ParseAddress(string text, int port) => AddressParsing.ParseEndPoint(text, "--ip", port);

    internal static T InRange<T>(T value, T min, T max, string name) where T : IComparable<T>, IFormattable => OptionChecks.InRange(value, min, max, name);

    internal static double Positive(double value, double max, string name) => OptionChecks.Seconds(value, max, name);
}
