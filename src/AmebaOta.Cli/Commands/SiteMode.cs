using System.CommandLine;
using AmebaOta.Cli.Output;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Sites;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// A rollout over the boards of the sites (a PostgreSQL <c>--db</c>, agents up, no <c>--ip</c>): the boards are those the
/// sites' agents see, and the agents send. <see cref="Filter"/> is what the rollout records (<c>*</c>: every site).
/// </summary>
public sealed class SiteMode
{
    /// <summary>A board counts as at its site when its agent has seen it this recently (agents refresh what they see every 30 s).</summary>
    public static readonly TimeSpan Online = TimeSpan.FromMinutes(2);

    private readonly JobQueue _queue;
    private readonly IReadOnlyList<string>? _sites;
    private Dictionary<string, (string Site, string Family)> _boards = new(StringComparer.OrdinalIgnoreCase);

    private SiteMode(JobQueue queue, IReadOnlyList<string>? sites)
    {
        _queue = queue;
        _sites = sites;
    }

    public string Filter => _sites is null ? "*" : string.Join(",", _sites);

    /// <summary>Site mode, or null to send from here as before (a SQLite --db, --ip given, or no agent up and no --site).</summary>
    public static SiteMode? Choose(ParseResult parse, BestEffortHistory history, Option<string[]> site, FleetUploadOptions o)
    {
        var sites = (parse.GetValue(site) ?? []).SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        bool byAddress = (parse.GetValue(o.Ips) ?? []).Length > 0;
        if (history.Store is not { Engine: DatabaseEngine.Postgres } store)
            return sites.Count > 0 ? throw new CliError(ExitCodes.Usage, "--site needs a shared PostgreSQL database (--db postgres://…), where the sites' agents record their boards") : null;
        if (byAddress)
            return sites.Count > 0 ? throw new CliError(ExitCodes.Usage, "give either --site or --ip, not both") : null;
        var queue = new JobQueue(store);
        var agents = Read(() => queue.Agents(HistoryCommands.AgentStale));
        if (sites.Count == 0 && !agents.Any(a => a.Alive)) return null;
        foreach (var name in sites.Where(n => !agents.Any(a => a.Alive && string.Equals(a.Site, n, StringComparison.OrdinalIgnoreCase))))
            Diagnostics.Warning($"site '{name}' has no agent up: its boards' jobs wait until one starts");
        return new SiteMode(queue, sites.Count == 0 ? null : sites);
    }

    /// <summary>For <c>--resume</c>: the rollout's boards at the sites the database has them at now.</summary>
    public static SiteMode ForResume(HistoryStore store, string filter)
    {
        var mode = new SiteMode(new JobQueue(store), filter == "*" ? null : filter.Split(','));
        mode._boards = Read(store.Boards).Where(b => b.Site is not null)
            .ToDictionary(b => b.Name, b => (b.Site!, b.Family), StringComparer.OrdinalIgnoreCase);
        return mode;
    }

    /// <summary>The boards the sites' agents see, matching <paramref name="pattern"/>.</summary>
    public FleetTargets Targets(string? pattern)
    {
        var all = Read(() => _queue.SiteBoards(_sites, Online));
        var matching = all.Where(b => pattern is null || NameGlob.Matches(pattern, b.Target.Name)).ToList();
        if (matching.Count == 0)
            throw new CliError(ExitCodes.NotFound, $"no board seen by the agents of {(_sites is null ? "any site" : "site " + string.Join(", ", _sites))} in the last {Online.TotalMinutes:0} minutes" +
                (pattern is null ? "" : $" matches '{pattern}'") + (all.Count > 0 ? $" ({all.Count} boards there)" : ""));
        _boards = matching.ToDictionary(b => b.Target.Name, b => (b.Site, b.Family), StringComparer.OrdinalIgnoreCase);
        Console.Error.WriteLine($"planning over {matching.Count} boards at {string.Join(", ", matching.Select(b => b.Site).Distinct().Order())}: their sites' agents send");
        // Each board with its family, at the port its family's receiver listens on (an AmebaD board advertises 5000, listens on 8082).
        return new FleetTargets([.. matching.Select(b => AmebaOta.Families.BoardFamilies.Find(b.Family) is { } family
            ? b.Target with { Family = family, EndPoint = new(b.Target.EndPoint.Address, family.Push?.PortFor(b.Target.EndPoint.Port) ?? b.Target.EndPoint.Port) }
            : b.Target)], all.Count - matching.Count, pattern, [], []);
    }

    /// <summary>Refuses (exit 10) when other work is open on any of <paramref name="targets"/>: a job, or a live rollout that has not done it yet.</summary>
    public void RefuseConflicts(IEnumerable<FleetTarget> targets)
    {
        var conflicts = Read(() => _queue.Conflicts([.. targets.Select(t => t.Name)]));
        if (conflicts.Count > 0) throw new CliError(ExitCodes.Busy, JobQueue.ConflictSentence(conflicts));
    }

    /// <summary>The sender a stage uses: the sites' agents.</summary>
    public IFleetSender Sender(FleetOptions options, ImageIdentity image, string command, long? rolloutId)
    {
        var sender = new SiteFleetSender(_queue, _boards, options, image, command, rolloutId);
        sender.Notice += line => Diagnostics.Warning(line);
        return sender;
    }

    private static T Read<T>(Func<T> read)
    {
        try { return read(); }
        catch (HistoryException e) { throw new CliError(ExitCodes.IoError, e.Message); }
    }
}
