using System.Globalization;
using System.Net;
using AmebaOta.Fleet.History;
using static AmebaOta.Fleet.History.SqlSession;

namespace AmebaOta.Fleet.Rollouts;

/// <summary>A rollout as the database holds it: its image, settings, state and every board's state.</summary>
/// <param name="Id">Rollout id.</param>
/// <param name="ImageSha256">The image's SHA-256.</param>
/// <param name="ImagePath">Where the image file was when the rollout started.</param>
/// <param name="Settings">How it runs.</param>
/// <param name="State">running, stopping, stopped, emergency-stopped or completed.</param>
/// <param name="Reason">Why it stopped.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="HeartbeatAt">Last sign of life of the process running it.</param>
/// <param name="OwnerPid">The process running it (last one).</param>
/// <param name="Plan">Its boards and stages.</param>
public sealed record RolloutRecord(long Id, string ImageSha256, string ImagePath, RolloutSettings Settings, string State, string? Reason,
    DateTimeOffset CreatedAt, DateTimeOffset? HeartbeatAt, int? OwnerPid, RolloutPlan Plan)
{
    /// <summary>Who created it.</summary>
    public string? Actor { get; init; }
    /// <summary>The machine of <see cref="OwnerPid"/>.</summary>
    public string? OwnerHost { get; init; }
    /// <summary>The <c>--site</c> filter it was planned with (null: every site, or no sites at all).</summary>
    public string? Sites { get; init; }
    /// <summary>Its images, one per family (the first is <see cref="ImageSha256"/>).</summary>
    public IReadOnlyList<RolloutImage> Images { get; init; } = [new(null, ImageSha256, ImagePath)];
}

/// <summary>One image of a rollout: the family it is for (null: not recorded, a rollout of one image), its SHA-256, and where its file was.</summary>
public sealed record RolloutImage(string? Family, string Sha256, string Path);

/// <summary>Rollouts in the history database: created, followed board by board, stopped on request, loaded again to resume.</summary>
public sealed class RolloutStore(HistoryStore store)
{
    /// <summary>A rollout whose process gave no sign of life for this long is taken for dead (crashed or killed).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    private static readonly string Host = Environment.MachineName;

    /// <summary>Creates a running rollout owned by this process; returns its id. <paramref name="sites"/>: the <c>--site</c> filter it was planned with.</summary>
    public long Create(ImageIdentity image, string imagePath, RolloutSettings settings, RolloutPlan plan, string? sites = null) =>
        Create([(image, imagePath)], settings, plan, sites);

    /// <summary>Creates a running rollout with an image per family (the first is its main image), owned by this process; returns its id.</summary>
    public long Create(IReadOnlyList<(ImageIdentity Image, string Path)> images, RolloutSettings settings, RolloutPlan plan, string? sites = null) => store.Write(s =>
    {
        var now = DateTimeOffset.UtcNow;
        var (image, imagePath) = images[0];
        foreach (var (i, _) in images) HistoryStore.AddImage(s, i, now);
        var f = settings.Fleet;
        long id = s.Long("""
            INSERT INTO rollouts (image_sha256, image_path, stages, max_failures, pause_seconds, parallel, max_rate, connect_timeout, stall_timeout, retries, retry_delay,
                wait_reboot, interface, force, skip_current, allow_downgrade, state, created_at, updated_at, heartbeat_at, owner_pid, actor, owner_host, sites)
            VALUES (@sha, @path, @stages, @max, @pause, @parallel, @rate, @connect, @stall, @retries, @delay, @wait, @iface, @force, @skip, @downgrade,
                'running', @at, @at, @at, @pid, @actor, @host, @sites) RETURNING id
            """, ("sha", image.Sha256), ("path", imagePath), ("stages", settings.Stages), ("max", settings.MaxFailures.ToString()),
            ("pause", settings.PauseBetween.TotalSeconds), ("parallel", f.MaxParallel ?? 0), ("rate", f.MaxBytesPerSecond), ("connect", f.ConnectTimeout.TotalSeconds), ("stall", f.StallTimeout?.TotalSeconds), ("retries", f.Retries),
            ("delay", f.RetryDelay.TotalSeconds), ("wait", f.WaitReboot?.TotalSeconds), ("iface", f.Interface), ("force", settings.Force),
            ("skip", settings.SkipCurrent), ("downgrade", settings.AllowDowngrade), ("at", now), ("pid", Environment.ProcessId), ("actor", Actor.Current),
            ("host", Host), ("sites", sites));
        for (int k = 0; k < images.Count; k++)
            s.Execute("INSERT INTO rollout_images (rollout_id, family, image_sha256, image_path, position) VALUES (@id, @family, @sha, @path, @position)",
                ("id", id), ("family", images[k].Image.Family), ("sha", images[k].Image.Sha256), ("path", images[k].Path), ("position", k));
        foreach (var b in plan.Boards)
            s.Execute("""
                INSERT INTO rollout_boards (rollout_id, board, position, stage, address, port, by_name, state, error, updated_at, family)
                VALUES (@id, @board, @position, @stage, @address, @port, @byName, @state, @error, @at, @family)
                """, ("id", id), ("board", b.Target.Name), ("position", b.Position), ("stage", b.Stage), ("address", b.Target.EndPoint.Address.ToString()),
                ("port", b.Target.EndPoint.Port), ("byName", b.Target.ByName), ("state", b.State.Name()), ("error", b.Error), ("at", now),
                ("family", b.Target.Family?.Id));
        HistoryStore.AddAudit(s, "rollout.create", $"rollout {id}",
            $"{image.FileName} ({image.ShortSha}) to {plan.Boards.Count} boards, stages {settings.Stages}, max failures {settings.MaxFailures}{(sites is null ? "" : $", sites {sites}")}");
        return id;
    });

    /// <summary>The rollout <paramref name="id"/>, or null if there is none.</summary>
    public RolloutRecord? Load(long id) => store.Read(s =>
    {
        var rows = s.Query("""
            SELECT image_sha256, image_path, stages, max_failures, pause_seconds, parallel, connect_timeout, retries, retry_delay, wait_reboot,
                   interface, force, skip_current, allow_downgrade, state, reason, created_at, heartbeat_at, owner_pid, stall_timeout, actor, owner_host, sites, max_rate
            FROM rollouts WHERE id = @id
            """, r =>
        {
            var fleet = new FleetOptions
            {
                MaxParallel = Int(r, 5) is > 0 and var parallel ? parallel : null, MaxBytesPerSecond = DoubleOrNull(r, 23),
                ConnectTimeout = TimeSpan.FromSeconds(Double(r, 6)), Retries = Int(r, 7),
                StallTimeout = DoubleOrNull(r, 19) is { } stall ? TimeSpan.FromSeconds(stall) : null,
                RetryDelay = TimeSpan.FromSeconds(Double(r, 8)), WaitReboot = DoubleOrNull(r, 9) is { } wait ? TimeSpan.FromSeconds(wait) : null,
                Interface = Text(r, 10),
            };
            var settings = new RolloutSettings(r.GetString(2), FailureThreshold.Parse(r.GetString(3)), TimeSpan.FromSeconds(Double(r, 4)), fleet,
                Bool(r, 11), Bool(r, 12), Bool(r, 13));
            return (Sha: r.GetString(0), Path: r.GetString(1), Settings: settings, State: r.GetString(14), Reason: Text(r, 15),
                Created: Time(r, 16), Heartbeat: TimeOrNull(r, 17), Pid: IntOrNull(r, 18), Actor: Text(r, 20), Host: Text(r, 21), Sites: Text(r, 22));
        }, ("id", id));
        if (rows.Count == 0) return null;
        var record = rows[0];
        var boards = LoadBoards(s, id);
        int stages = boards.Count == 0 ? 0 : boards.Max(b => b.Stage);
        var images = s.Query("SELECT family, image_sha256, image_path FROM rollout_images WHERE rollout_id = @id ORDER BY position",
            r => new RolloutImage(r.GetString(0), r.GetString(1), r.GetString(2)), ("id", id));
        return new RolloutRecord(id, record.Sha, record.Path, record.Settings, record.State, record.Reason, record.Created, record.Heartbeat, record.Pid,
            new RolloutPlan(boards, stages))
        {
            Actor = record.Actor, OwnerHost = record.Host, Sites = record.Sites, Images = images.Count > 0 ? images : [new(null, record.Sha, record.Path)],
        };
    });

    private static List<RolloutBoard> LoadBoards(SqlSession s, long id) => s.Query(
        "SELECT board, position, stage, address, port, by_name, state, error, family FROM rollout_boards WHERE rollout_id = @id ORDER BY position",
        r => new RolloutBoard(new FleetTarget(r.GetString(0), new IPEndPoint(IPAddress.Parse(r.GetString(3)), Int(r, 4)), Bool(r, 5),
                Text(r, 8) is { } family ? Families.BoardFamilies.Find(family) : null),
            Int(r, 2), Int(r, 1), RolloutBoardStateNames.Parse(r.GetString(6)), Text(r, 7)), ("id", id));

    /// <summary>The ids of the latest <paramref name="limit"/> rollouts, newest first.</summary>
    public IReadOnlyList<long> RecentIds(int limit) =>
        store.Read(s => s.Query("SELECT id FROM rollouts ORDER BY id DESC LIMIT @limit", r => Long(r, 0), ("limit", limit)));

    /// <summary>Records a board's new state.</summary>
    public void SetBoard(long id, RolloutBoard board) => store.Write(s => s.Execute(
        "UPDATE rollout_boards SET state = @state, error = @error, updated_at = @at WHERE rollout_id = @id AND board = @board",
        ("id", id), ("board", board.Target.Name), ("state", board.State.Name()), ("error", board.Error), ("at", DateTimeOffset.UtcNow)));

    /// <summary>Records how a run of the rollout ended.</summary>
    public void SetEnded(long id, RolloutEnd end, string? reason) => store.Write(s => s.Execute(
        "UPDATE rollouts SET state = @state, reason = @reason, updated_at = @at, heartbeat_at = NULL WHERE id = @id",
        ("id", id), ("state", StateName(end)), ("reason", reason), ("at", DateTimeOffset.UtcNow)));

    /// <summary>The database name of a run's end: completed, emergency-stopped or stopped.</summary>
    public static string StateName(RolloutEnd end) => end switch
    {
        RolloutEnd.Completed => "completed",
        RolloutEnd.EmergencyStopped => "emergency-stopped",
        _ => "stopped",
    };

    /// <summary>This process is alive and runs rollout <paramref name="id"/>; returns true when a stop was requested.</summary>
    public bool Heartbeat(long id) => store.Write(s =>
    {
        s.Execute("UPDATE rollouts SET heartbeat_at = @at, owner_pid = @pid, owner_host = @host WHERE id = @id",
            ("id", id), ("at", DateTimeOffset.UtcNow), ("pid", Environment.ProcessId), ("host", Host));
        return s.Scalar("SELECT state FROM rollouts WHERE id = @id", ("id", id)) as string == "stopping";
    });

    /// <summary>
    /// Asks the process running rollout <paramref name="id"/> to stop (it notices within a second); a rollout no process runs
    /// is marked stopped at once. Returns the state before, or null when there is no such rollout.
    /// </summary>
    public string? RequestStop(long id) => store.Write(s =>
    {
        var (state, heartbeat, pid, host) = StateOf(s, id);
        if (state is null) return null;
        if (state is "running" or "stopping")
        {
            bool alive = IsAlive(heartbeat, pid, host);
            s.Execute("UPDATE rollouts SET state = @state, reason = @reason, updated_at = @at WHERE id = @id",
                ("id", id), ("state", alive ? "stopping" : "stopped"), ("reason", $"stopped on request (--stop, by {Actor.Current})"), ("at", DateTimeOffset.UtcNow));
            HistoryStore.AddAudit(s, "rollout.stop", $"rollout {id}", alive ? "stop requested" : "marked stopped (no process ran it)");
        }
        return state;
    });

    /// <summary>
    /// Takes rollout <paramref name="id"/> over to resume it: refused (returns false) while another live process runs it;
    /// otherwise it becomes running, owned by this process.
    /// </summary>
    public bool Claim(long id) => store.Write(s =>
    {
        var (state, heartbeat, pid, host) = StateOf(s, id);
        if (state is "running" or "stopping" && !(pid == Environment.ProcessId && host == Host) && IsAlive(heartbeat, pid, host)) return false;
        s.Execute("UPDATE rollouts SET state = 'running', reason = NULL, updated_at = @at, heartbeat_at = @at, owner_pid = @pid, owner_host = @host WHERE id = @id",
            ("id", id), ("at", DateTimeOffset.UtcNow), ("pid", Environment.ProcessId), ("host", Host));
        HistoryStore.AddAudit(s, "rollout.resume", $"rollout {id}", $"resumed on {Host}");
        return true;
    });

    private static (string? State, DateTimeOffset? Heartbeat, int? Pid, string? Host) StateOf(SqlSession s, long id)
    {
        var rows = s.Query("SELECT state, heartbeat_at, owner_pid, owner_host FROM rollouts WHERE id = @id" + s.ForUpdate,
            r => (r.GetString(0), TimeOrNull(r, 1), IntOrNull(r, 2), Text(r, 3)), ("id", id));
        return rows.Count == 0 ? (null, null, null, null) : rows[0];
    }

    /// <summary>
    /// A recent heartbeat from a process that still exists: a killed process on this machine is dead at once, a hung one (or one
    /// on another machine, whose processes this one cannot see) after <see cref="StaleAfter"/>.
    /// </summary>
    private static bool IsAlive(DateTimeOffset? heartbeat, int? pid, string? host)
    {
        if (heartbeat is not { } h || DateTimeOffset.UtcNow - h >= StaleAfter) return false;
        if (pid is not { } p || (host is not null && host != Host)) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(p);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>
/// The journal of one rollout in the database, through a <see cref="BestEffortHistory"/>: if the database fails for good the
/// rollout runs on (not resumable); a shared server out of reach for a while gets the board states it missed once it is back.
/// </summary>
public sealed class RolloutJournal(BestEffortHistory history, long id) : IRolloutJournal
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RolloutBoard> _unrecorded = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public void Board(RolloutBoard board)
    {
        _unrecorded[board.Target.Name] = board;
        Flush();
    }

    /// <inheritdoc />
    public void Ended(RolloutEnd end, string? reason)
    {
        Flush();
        history.Try(s => new RolloutStore(s).SetEnded(id, end, reason));
    }

    /// <inheritdoc />
    public bool Heartbeat()
    {
        Flush();
        return history.Try(s => new RolloutStore(s).Heartbeat(id), false);
    }

    private void Flush()
    {
        foreach (var (name, board) in _unrecorded.ToArray())
        {
            if (!history.Try(s => { new RolloutStore(s).SetBoard(id, board); return true; }, false)) return;
            _unrecorded.TryRemove(new KeyValuePair<string, RolloutBoard>(name, board));
        }
    }
}
