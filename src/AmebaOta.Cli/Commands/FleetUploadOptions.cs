using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Discovery;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Commands;

/// <summary>The boards a fleet command updates: found by mDNS (and matched) or given by address.</summary>
public sealed record FleetTargets(List<FleetTarget> Targets, int NotMatched, string? Pattern);

/// <summary>
/// Every option of <c>fleet upload</c> (but the image argument), made once per command: <c>fleet upload</c> and
/// <c>fleet rollout</c> both add them, so the two commands always take the same options, spelt the same.
/// </summary>
public sealed class FleetUploadOptions
{
    public Option<string?> Match { get; } = new("--match") { Description = "Update the boards whose mDNS instance name matches this pattern (* and ?, case-insensitive); default: every board found" };
    public Option<string[]> Ips { get; } = new("--ip", "-i") { Description = "Update the board at this address (ADDRESS or ADDRESS:PORT) instead of discovering; repeatable", AllowMultipleArgumentsPerToken = false };
    public Option<int> Port { get; } = new("--port", "-p") { Description = "OTA port of the boards given with --ip", DefaultValueFactory = _ => UploadCommand.DefaultPort };
    public Option<string?> Interface { get; } = DiscoverCommands.InterfaceOption();
    public Option<double> DiscoverTimeout { get; } = new("--discover-timeout") { Description = "Seconds to listen for boards by mDNS", DefaultValueFactory = _ => 3 };
    public Option<int> Parallel { get; } = new("--parallel") { Description = "Boards updated at the same time", DefaultValueFactory = _ => 16 };
    public Option<double?> Timeout { get; } = UploadTimeoutOption.Create();
    public Option<double?> WaitReboot { get; } = WaitRebootOption.Create("a board that does not counts as not updated (exit 8)");
    public Option<int> Retries { get; } = new("--retries") { Description = "Further attempts for a board whose upload failed (not for one that took the image but did not come back)", DefaultValueFactory = _ => 2 };
    public Option<double> RetryDelay { get; } = new("--retry-delay") { Description = "Seconds to wait before a retry", DefaultValueFactory = _ => 1 };
    public Option<bool> Force { get; } = new("--force") { Description = "Send even an image the checks refuse (too large, no RTKWin, ram_all.bin): can brick stock boards" };
    public Option<bool> Json { get; } = new("--json") { Description = "Write one JSON object per line instead of text" };
    public Option<string?> Db { get; } = HistoryDatabase.Option();

    public IEnumerable<Option> All => [Match, Ips, Port, Interface, DiscoverTimeout, Parallel, Timeout, WaitReboot, Retries, RetryDelay, Force, Json, Db];

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
            MaxParallel = InRange(parse.GetValue(Parallel), 1, 1024, "--parallel"),
            ConnectTimeout = upload.ConnectTimeout,
            StallTimeout = upload.StallTimeout,
            Retries = InRange(parse.GetValue(Retries), 0, 100, "--retries"),
            RetryDelay = TimeSpan.FromSeconds(InRange(parse.GetValue(RetryDelay), 0, 3600, "--retry-delay")),
            WaitReboot = WaitRebootOption.Read(parse, WaitReboot, imageLength),
            Interface = parse.GetValue(Interface),
        };
    }

    /// <summary>The boards to update: <c>--ip</c> addresses, or the boards mDNS finds (recorded as seen in the history) that match <c>--match</c>.</summary>
    public async Task<FleetTargets> FindTargetsAsync(ParseResult parse, string? iface, BestEffortHistory history, CancellationToken cancellationToken)
    {
        string? pattern = parse.GetValue(Match);
        var addresses = parse.GetValue(Ips) ?? [];
        if (addresses.Length > 0)
        {
            if (pattern is not null) throw new CliError(ExitCodes.Usage, "give either --match or --ip, not both");
            int p = InRange(parse.GetValue(Port), 1, 65535, "--port");
            return new FleetTargets(addresses.Select(a => ParseAddress(a, p)).Select(ep => new FleetTarget(ep.ToString(), ep)).DistinctBy(t => t.EndPoint).ToList(), 0, null);
        }
        double seconds = Positive(parse.GetValue(DiscoverTimeout), 3600, "--discover-timeout");
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = iface });
        var found = await browser.BrowseAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
        history.Try(s => s.RecordSightings(found.Select(BoardSighting.Of)));
        var matching = found.Where(s => pattern is null || NameGlob.Matches(pattern, s.InstanceName)).ToList();
        var targets = matching.OrderBy(s => s.InstanceName, StringComparer.OrdinalIgnoreCase)
            .Select(s => new FleetTarget(s.InstanceName, new IPEndPoint(s.Address, s.Port), ByName: true))
            .DistinctBy(t => t.EndPoint).ToList();
        if (targets.Count == 0)
            throw new CliError(ExitCodes.NotFound, found.Count == 0
                ? $"no board answered by mDNS within {seconds:0.###} s{(iface is null ? "" : $" on {iface}")}"
                : $"none of the {found.Count} boards found matches '{pattern}' ({string.Join(", ", found.Select(s => s.InstanceName).Take(5))}{(found.Count > 5 ? ", ..." : "")})");
        return new FleetTargets(targets, found.Count - matching.Count, pattern);
    }

    /// <summary>"192.168.1.50" (with --port) or "192.168.1.50:5001".</summary>
    private static IPEndPoint ParseAddress(string text, int port) => AddressParsing.ParseEndPoint(text, "--ip", port);

    internal static T InRange<T>(T value, T min, T max, string name) where T : IComparable<T>, IFormattable => OptionChecks.InRange(value, min, max, name);

    internal static double Positive(double value, double max, string name) => OptionChecks.Seconds(value, max, name);
}
