using AmebaOta.Cli.Dashboard.Sites;
using AmebaOta.Fleet.Sites;

namespace AmebaOta.Cli.Dashboard;

/// <summary>The sites' part of the page's state: sites and agents, boards as their sites' agents see them, open jobs.</summary>
public sealed partial class DashboardState
{
    private readonly HashSet<string> _withJobs = new(StringComparer.OrdinalIgnoreCase);
    private DashboardSitesJson? _sites;
    private long _sitesVersion;

    /// <summary>The sites, their agents and the database connection (null: no shared database).</summary>
    public DashboardSitesJson? Sites
    {
        get { lock (_lock) return _sites; }
    }

    /// <summary>New sites and agents, or a change of the database connection; nothing is sent when nothing changed.</summary>
    public void SetSites(DashboardSitesJson sites)
    {
        lock (_lock)
        {
            if (sites.SameAs(_sites)) return;
            _sites = sites;
            _sitesVersion = Changes.Bump();
        }
    }

    /// <summary>The database connection only (lost, or back), the sites as they were.</summary>
    public void SetDatabase(DatabaseJson database)
    {
        lock (_lock)
        {
            if (_sites?.Database == database) return;
            _sites = (_sites ?? new DashboardSitesJson(database, [], [])) with { Database = database };
            _sitesVersion = Changes.Bump();
        }
    }

    /// <summary>A board as its site's agent recorded it; <paramref name="online"/> when seen lately and its site has an agent up.</summary>
    public void SeenAtSite(SiteBoard board, bool online) => Change(board.Name, b =>
    {
        b.Site = board.Site;
        b.SiteOnline = online;
        if (!b.Online && board.EndPoint is { } at)
        {
            b.Address = at.Address.ToString();
            b.Port = at.Port;
        }
        if (board.LastSeen is { } seen && (b.LastSeen is null || seen > b.LastSeen)) b.LastSeen = seen;
    }, onlyIfChanged: true);

    /// <summary>The open jobs, by board: boards that had one and are not in <paramref name="jobs"/> have none any more.</summary>
    public void SetJobs(IReadOnlyDictionary<string, BoardJobJson> jobs)
    {
        List<string> ended;
        lock (_lock) ended = [.. _withJobs.Where(name => !jobs.ContainsKey(name))];
        foreach (var name in ended) Change(name, b => b.Job = null, onlyIfChanged: true);
        foreach (var (name, job) in jobs) Change(name, b => b.Job = job, onlyIfChanged: true);
        lock (_lock)
        {
            _withJobs.Clear();
            _withJobs.UnionWith(jobs.Keys);
        }
    }
}
