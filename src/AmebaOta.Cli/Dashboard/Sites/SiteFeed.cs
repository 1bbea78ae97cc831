using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Output;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Sites;

namespace AmebaOta.Cli.Dashboard.Sites;

/// <summary>
/// With a shared PostgreSQL database: keeps the page's view of the sites live. Every second, and at once when the job queue
/// announces a change (<c>LISTEN</c>), it reads the sites and their agents, the boards the agents recorded (a board is online
/// when its site's agent saw it lately and that agent is up) and the open jobs, whoever asked for them. Losing the database
/// is shown on the page (and warned once in the terminal); the feed keeps trying, with back-off, and says when it is back.
/// When jobs end the history is read again, so each board's last image follows the work of other dashboards and CLIs too.
/// </summary>
public sealed class SiteFeed(JobQueue queue, DashboardState state, DashboardHistory history, Action<string> warn) : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _where = queue.Store.Where;
    private Task _polling = Task.CompletedTask;
    private Task _listening = Task.CompletedTask;
    private DateTimeOffset? _lostSince;
    private HashSet<long> _open = [];

    /// <summary>The job queue it reads.</summary>
    public JobQueue Queue => queue;

    /// <summary>Reads once now (the page's first snapshot has the sites), then keeps reading in the background.</summary>
    public void Start()
    {
        Poll();
        _polling = Task.Run(() => PollAsync(_stop.Token));
        _listening = Task.Run(() => JobNotifications.ListenAsync(queue.Store, JobQueue.EventChannel, _ => true, Wake, MaxBackoff, _stop.Token));
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    private async Task PollAsync(CancellationToken stop)
    {
        var wait = Every;
        while (!stop.IsCancellationRequested)
        {
            try { await _wake.WaitAsync(wait, stop); }
            catch (OperationCanceledException) { return; }
            wait = Poll() ? Every : TimeSpan.FromTicks(Math.Min(Math.Max(wait.Ticks * 2, Every.Ticks), MaxBackoff.Ticks));
            // Bursts of notifications (100 boards sending) merge into one read.
            try { await Task.Delay(TimeSpan.FromMilliseconds(200), stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One read of everything; false when the database could not be read.</summary>
    private bool Poll()
    {
        try
        {
            var agents = queue.Agents(HistoryCommands.AgentStale);
            var sites = queue.Sites(HistoryCommands.AgentStale, SiteMode.Online);
            var boards = queue.AllSiteBoards();
            var jobs = queue.OpenJobs();
            if (_lostSince is not null)
            {
                warn($"reconnected to the database {_where}");
                _lostSince = null;
            }
            state.SetSites(new DashboardSitesJson(new DatabaseJson(true, _where, null, null), [.. sites.Select(SiteJson.From)], [.. agents.Select(AgentJson.From)]));
            var up = agents.Where(a => a.Alive).Select(a => a.Site).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var board in boards) state.SeenAtSite(board, up.Contains(board.Site) && board.Age < SiteMode.Online);
            state.SetJobs(jobs.GroupBy(j => j.Target.Name, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => Json(g.Last()), StringComparer.OrdinalIgnoreCase));
            var open = jobs.Select(j => j.Id).ToHashSet();
            if (_open.Any(id => !open.Contains(id))) state.SetHistory(history.Boards());   // work ended: the boards' last images follow
            _open = open;
            return true;
        }
        catch (HistoryException e)
        {
            bool first = _lostSince is null;
            _lostSince ??= DateTimeOffset.UtcNow;
            // "history database 'postgres://…': the connection broke (…)": the page names the database once, in its pill.
            string why = e.Message.StartsWith($"history database '{_where}': ", StringComparison.Ordinal) ? e.Message[($"history database '{_where}': ".Length)..] : e.Message;
            string problem = BestEffortHistory.IsConnectionLoss(e) ? $"lost the database: {why}; reconnecting" : $"cannot read the sites: {why}; trying again";
            state.SetDatabase(new DatabaseJson(false, _where, problem, _lostSince));
            if (first) warn($"{_where}: {problem}");
            return false;
        }
    }

    private static BoardJobJson Json(SiteJob j) => new(j.Id, j.Site, j.Seen.Name(), j.Detail, j.BytesSent, j.Length, j.Attempt, j.Error, j.RequestedBy,
        j.Command, j.RolloutId, j.LeaseOwner);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_polling, _listening);
        _stop.Dispose();
        _wake.Dispose();
    }
}
