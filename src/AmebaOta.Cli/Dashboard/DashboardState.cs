using System.Net;
using AmebaOta.Discovery;

namespace AmebaOta.Cli.Dashboard;

/// <summary>What a board's history says: where it was last, when, and which image it last took and is believed to run.</summary>
public sealed record BoardHistory(string Name, string? Address, int? Port, DateTimeOffset? LastSeen, BoardImageJson? Last, BoardImageJson? Believed)
{
    /// <summary>The family the history knows it by.</summary>
    public string? Family { get; init; }
}

/// <summary>
/// Everything the page shows, in one place: the boards (from mDNS, the virtual farm and the history), the runs, and the
/// history's version. Every change takes a new <see cref="ChangeSignal"/> version, so an event stream sends only what changed
/// since its last event. Thread-safe.
/// </summary>
public sealed partial class DashboardState
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, BoardEntry> _boards = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, (RunJson Run, long Version)> _runs = [];
    private long _historyVersion;

    public ChangeSignal Changes { get; } = new();

    /// <summary>A board answered by mDNS (appeared, or changed address, port or TXT).</summary>
    public void Seen(DiscoveredService service, DateTimeOffset at) => Change(service.InstanceName, b =>
    {
        b.Address = service.Address.ToString();
        b.Port = service.Port;
        b.Host = service.Host;
        b.BoardId = service.Board;
        if (service.Family is { } family) b.Family = family.Id;
        b.Online = true;
        b.FirstSeen ??= at;
        b.LastSeen = at;
    });

    /// <summary>A board said goodbye or its records expired.</summary>
    public void Gone(string name, DateTimeOffset at) => Change(name, b =>
    {
        if (b.Online) b.LastSeen = at;
        b.Online = false;
    });

    /// <summary>
    /// A board that beats to this dashboard as its OTA UI server: appeared, changed state, went quiet or came back. It is
    /// listed by its trigger end point (as <c>fleet upload</c> records it), with the family the history knows it by, else
    /// <paramref name="family"/>.
    /// </summary>
    public void OtaUiSeen(string name, IPEndPoint trigger, string state, bool online, DateTimeOffset lastBeat, DateTimeOffset firstSeen, string family,
        string? note = null) => Change(name, b =>
    {
        b.OtaUiNote = note;
        b.Address = trigger.Address.ToString();
        b.Port = trigger.Port;
        b.Family ??= family;
        b.OtaUi = state;
        b.Online = online;
        b.FirstSeen ??= firstSeen;
        b.LastSeen = lastBeat;
    });

    /// <summary>The trigger end point and family of a board that beats to this dashboard right now (null: none such).</summary>
    public (IPEndPoint Trigger, string? Family)? OtaUiOnline(string name)
    {
        lock (_lock)
        {
            return _boards.TryGetValue(name, out var b) && b.Online && b.OtaUi is not null && b.Port is { } port && IPAddress.TryParse(b.Address, out var ip)
                ? (new IPEndPoint(ip, port), b.Family) : null;
        }
    }

    /// <summary>These boards are virtual (run by the dashboard's farm, or by the farm it is attached to).</summary>
    public void MarkVirtual(IEnumerable<string> names)
    {
        foreach (var name in names) Change(name, b => b.Virtual = true);
    }

    /// <summary>Takes in what the history knows; boards only the history knows are listed as offline.</summary>
    public void SetHistory(IEnumerable<BoardHistory> boards)
    {
        foreach (var h in boards)
        {
            Change(h.Name, b =>
            {
                if (!b.Online)
                {
                    b.Address ??= h.Address;
                    b.Port ??= h.Port;
                    if (h.LastSeen is { } seen && (b.LastSeen is null || seen > b.LastSeen)) b.LastSeen = seen;
                }
                b.Last = h.Last;
                b.Believed = h.Believed;
                b.Family ??= h.Family;
            }, onlyIfChanged: true);
        }
        lock (_lock) _historyVersion = Changes.Bump();
    }

    /// <summary>What a run is doing to a board (null: nothing).</summary>
    public void SetUpdate(string name, BoardUpdateJson? update) => Change(name, b => b.Update = update);

    public void SetRun(RunJson run)
    {
        lock (_lock) _runs[run.Id] = (run, Changes.Bump());
    }

    /// <summary>The board's advertised end point and family (null: unknown) when it answers by mDNS right now.</summary>
    public (IPEndPoint Advertised, string? Family)? Online(string name)
    {
        lock (_lock)
        {
            return _boards.TryGetValue(name, out var b) && b.Online && b.Port is { } port && IPAddress.TryParse(b.Address, out var ip)
                ? (new IPEndPoint(ip, port), b.Family) : null;
        }
    }

    /// <summary>The names of the boards that answer by mDNS right now (here, or at their site), sorted.</summary>
    public List<string> OnlineNames()
    {
        lock (_lock) return [.. _boards.Values.Where(b => b.Online || b.SiteOnline).Select(b => b.Name).Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The exact spelling of a known board's name (names are case-insensitive).</summary>
    public string? KnownName(string name)
    {
        lock (_lock) return _boards.TryGetValue(name, out var b) ? b.Name : null;
    }

    public long HistoryVersion
    {
        get { lock (_lock) return _historyVersion; }
    }

    /// <summary>Every board and run, and the version they are at.</summary>
    public (long Version, List<BoardJson> Boards, List<RunJson> Runs) Snapshot()
    {
        lock (_lock)
        {
            return (Changes.Version,
                [.. _boards.Values.OrderBy(b => b.Name, StringComparer.OrdinalIgnoreCase).Select(b => b.ToJson())],
                [.. _runs.Values.OrderBy(r => r.Run.Id).Select(r => r.Run)]);
        }
    }

    /// <summary>What changed after <paramref name="seen"/>, and the version it is at now.</summary>
    public DeltaJson ChangedSince(long seen)
    {
        lock (_lock)
        {
            return new DeltaJson(Changes.Version,
                [.. _boards.Values.Where(b => b.Version > seen).Select(b => b.ToJson())],
                [.. _runs.Values.Where(r => r.Version > seen).OrderBy(r => r.Run.Id).Select(r => r.Run)],
                _historyVersion) { Sites = _sitesVersion > seen ? _sites : null };
        }
    }

    private void Change(string name, Action<BoardEntry> change, bool onlyIfChanged = false)
    {
        lock (_lock)
        {
            if (!_boards.TryGetValue(name, out var entry)) _boards[name] = entry = new BoardEntry(name);
            else if (onlyIfChanged)
            {
                var before = entry.ToJson();
                change(entry);
                if (before == entry.ToJson()) return;   // records compare by value: nothing to send
                entry.Version = Changes.Bump();
                return;
            }
            change(entry);
            entry.Version = Changes.Bump();
        }
    }
}
