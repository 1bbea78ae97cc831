using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Families;
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

    /// <summary>Boards that match but are sent nothing, with why: no image of their family (refused before anything is sent).</summary>
    public IReadOnlyList<(FleetTarget Target, string Reason)> Refused { get; init; } = [];

    /// <summary>One line for each skipped conflict, each silent known board and each refused board.</summary>
    public IEnumerable<string> Warnings =>
        Conflicts.Select(c => $"{c.InstanceName} answered by mDNS from {c.AllAddresses.Count} addresses ({string.Join(", ", c.AllAddresses)}): " +
                $"a duplicate name or an impostor; skipped (give --ip ADDRESS with --match to say which is the board)")
            .Concat(Silent.Select(b => $"{b.Name} did not answer (known since {b.FirstSeen:yyyy-MM-dd}, last seen {b.LastSeen:yyyy-MM-dd HH:mm} UTC" +
                (b.Address is null ? "" : $" at {b.Address}") + "): not updated"))
            .Concat(Refused.Select(r => r.Reason));

    /// <summary>Moves the boards <paramref name="images"/> has nothing for from <see cref="Targets"/> to <see cref="Refused"/>.</summary>
    public FleetTargets RefuseOthers(FleetImages images)
    {
        var refused = Targets.Select(t => (Target: t, Reason: images.Refusal(t))).Where(r => r.Reason is not null).Select(r => (r.Target, r.Reason!)).ToList();
        return this with { Targets = [.. Targets.Except(refused.Select(r => r.Target))], Refused = [.. Refused, .. refused] };
    }
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
    public Option<int?> Port { get; } = new("--port", "-p")
    {
        Description = $"OTA port of the boards (default: for Ameba1 the advertised port, or {UploadCommand.DefaultPort} for a board given with --ip; 8082 for AmebaD, whatever it advertises)",
    };
    public Option<string?> Family { get; } = FamilyOption.Create("The family of the boards given with --ip, where it cannot be inferred (they were never seen by mDNS, and several images are given)");
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
    public Option<bool> Force { get; } = new("--force") { Description = "Send even an image the checks refuse (too large, no RTKWin, ram_all.bin, a bad OTA_All.bin header): can brick stock boards" };
    public Option<bool> Json { get; } = new("--json") { Description = "Write one JSON object per line instead of text" };
    public Option<string?> Db { get; } = HistoryDatabase.Option();

    /// <summary>The OTA UI method's options (<c>--ota-ui</c>, <c>--listen</c>).</summary>
    public OtaUi.OtaUiOptions OtaUi { get; } = new();

    public IEnumerable<Option> All => [Match, Ips, Port, Family, Interface, DiscoverTimeout, Parallel, MaxRate, Timeout, WaitReboot, Retries, RetryDelay, Force, Json, Db, .. OtaUi.All];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Add(option);
    }

    /// <summary>How the uploads run, for these images; <paramref name="timeoutWarning"/> says why a given --timeout may be too short.</summary>
    public FleetOptions ReadFleetOptions(ParseResult parse, FleetImages images, out string? timeoutWarning)
    {
        var upload = UploadTimeoutOption.Read(parse, Timeout, images.All, out timeoutWarning);
        return new FleetOptions
        {
            MaxParallel = parse.GetValue(Parallel) is { } parallel ? InRange(parallel, 1, AirtimeBudget.Ceiling, "--parallel") : null,
            MaxBytesPerSecond = MaxBytesPerSecond(parse, MaxRate),
            ConnectTimeout = upload.ConnectTimeout,
            StallTimeout = upload.StallTimeout,
            Retries = InRange(parse.GetValue(Retries), 0, 100, "--retries"),
            RetryDelay = TimeSpan.FromSeconds(InRange(parse.GetValue(RetryDelay), 0, 3600, "--retry-delay")),
            WaitReboot = WaitRebootOption.Read(parse, WaitReboot, images.All),
            Interface = parse.GetValue(Interface),
        };
    }

    /// <summary>The airtime budget <c>--max-rate</c> asks for, in bytes per second (0: none).</summary>
    public static double? MaxBytesPerSecond(ParseResult parse, Option<double> maxRate) =>
        InRange(parse.GetValue(maxRate), 0, 100_000, "--max-rate") is > 0 and var rate ? AirtimeBudget.MegabitsToBytes(rate) : null;

    /// <summary>Makes room for a connection to each board that may be under way at once (the system's limit on open files); warns when the system will not.</summary>
    public static void EnsureDescriptors(int boards, FleetOptions options)
    {
        long atOnce = Math.Min(boards, options.MaxParallel ?? AirtimeBudget.Ceiling);
        if (Native.FileDescriptorLimit.Ensure(atOnce + 64, $"updating {atOnce} boards at once") is { } limit) Diagnostics.Warning(limit);
    }

    /// <summary>
    /// The boards to update: <c>--ip</c> addresses, or the boards mDNS finds (recorded as seen in the history) that match
    /// <c>--match</c>; each with its family (TXT <c>board=</c>, <c>--family</c>, or what the history saw at that address)
    /// and the port its family's receiver listens on. Boards <paramref name="images"/> has no image for are refused
    /// (<see cref="FleetTargets.Refused"/>), before anything is sent.
    /// </summary>
    public async Task<FleetTargets> FindTargetsAsync(ParseResult parse, string? iface, BestEffortHistory history, FleetImages images, CancellationToken cancellationToken)
    {
        string? pattern = parse.GetValue(Match);
        var addresses = parse.GetValue(Ips) ?? [];
        int? port = parse.GetValue(Port) is { } p ? InRange(p, 1, 65535, "--port") : null;
        var named = FamilyOption.Read(parse, Family);
        if (addresses.Length > 0 && pattern is null)
        {
            var given = addresses.Select(a =>
            {
                var family = named ?? (AddressParsing.ParseEndPoint(a, "--ip", 1) is var ep && history.Try(s => s.BoardSeenAt(ep.Address), null) is { } seen
                    ? BoardFamilies.Find(seen.Family) : null);
                int defaultPort = port ?? (images.For(family)?.Sender ?? family?.Push)?.DefaultPort ?? UploadCommand.DefaultPort;
                var endPoint = ParseAddress(a, defaultPort);
                return new FleetTarget(endPoint.ToString(), endPoint, Family: family);
            }).DistinctBy(t => t.EndPoint).ToList();
            return new FleetTargets(given).RefuseOthers(images);
        }
        var chosen = addresses.Select(a => ParseAddress(a, 1).Address).ToHashSet();
        double seconds = Positive(parse.GetValue(DiscoverTimeout), 3600, "--discover-timeout");
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = iface });
        var found = await browser.BrowseAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
        history.Try(s => s.RecordSightings(found.Select(BoardSighting.Of)));
        var matching = found.Where(s => pattern is null || NameGlob.Matches(pattern, s.InstanceName)).ToList();
        // A name that answered from several addresses is never picked silently: --ip says which, or it is skipped.
        var conflicts = matching.Where(s => s.Conflicting && !s.AllAddresses.Any(chosen.Contains)).ToList();
        var targets = matching.Except(conflicts).OrderBy(s => s.InstanceName, StringComparer.OrdinalIgnoreCase)
            .Select(s => new FleetTarget(s.InstanceName, new IPEndPoint(s.Conflicting ? s.AllAddresses.First(chosen.Contains) : s.Address,
                port ?? (images.For(s.Family ?? named)?.Sender ?? (s.Family ?? named)?.Push)?.PortFor(s.Port) ?? s.Port), ByName: true, Family: s.Family ?? named))
            .DistinctBy(t => t.EndPoint).ToList();
        var answered = found.Select(s => s.InstanceName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var silent = history.Try(s => s.Boards(), [])
            .Where(b => b.LastSeen is not null && !answered.Contains(b.Name) && (pattern is null || NameGlob.Matches(pattern, b.Name))).ToList();
        if (targets.Count == 0 && conflicts.Count == 0)
            throw new CliError(ExitCodes.NotFound, found.Count == 0
                ? $"no board answered by mDNS within {seconds:0.###} s{(iface is null ? "" : $" on {iface}")}" + SilentNote(silent)
                : $"none of the {found.Count} boards found matches '{pattern}' ({string.Join(", ", found.Select(s => s.InstanceName).Take(5))}{(found.Count > 5 ? ", ..." : "")})" +
                  SilentNote(silent));
        return new FleetTargets(targets, found.Count - matching.Count, pattern, conflicts, silent).RefuseOthers(images);
    }

    /// <summary>
    /// The images given (at most one per family), each with its file name and checked as <c>upload</c> checks it: a
    /// refused image stops the command (exit 2) unless --force; the warnings are returned.
    /// </summary>
    public List<(string Name, PushImage Image)> LoadImages(ParseResult parse, IReadOnlyList<FileInfo> files, out List<string> warnings)
    {
        warnings = [];
        var images = new List<(string Name, PushImage Image)>();
        foreach (var file in files)
        {
            var loaded = BoardFamilies.LoadImage(file.FullName);
            if (images.FirstOrDefault(i => i.Image.Family == loaded.Family) is { Name: { } twice })
                throw new CliError(ExitCodes.Usage, $"two {loaded.Family.DisplayName} images given ({twice} and {file.Name}): " +
                    "give at most one image per family; each board is sent the one of its family");
            var image = UploadCommand.Sender(file.Name, loaded).Prepare(loaded);
            warnings.AddRange(UploadCommand.Preflight(file.Name, image, parse.GetValue(Force)));
            images.Add((file.Name, image));
        }
        return images;
    }

    private static string SilentNote(IReadOnlyList<BoardSummary> silent) =>
        silent.Count == 0 ? "" : $"; the history knows {silent.Count} matching board{(silent.Count == 1 ? "" : "s")} that did not answer " +
            $"({string.Join(", ", silent.Select(b => b.Name).Take(5))}{(silent.Count > 5 ? ", ..." : "")})";

    /// <summary>"192.168.1.50" (with --port) or "192.168.1.50:5001".</summary>
    private static IPEndPoint ParseAddress(string text, int port) => AddressParsing.ParseEndPoint(text, "--ip", port);

    internal static T InRange<T>(T value, T min, T max, string name) where T : IComparable<T>, IFormattable => OptionChecks.InRange(value, min, max, name);

    internal static double Positive(double value, double max, string name) => OptionChecks.Seconds(value, max, name);
}
