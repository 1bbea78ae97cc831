using System.Globalization;
using System.Net;
using AmebaOta.Fleet.History;
using Microsoft.Data.Sqlite;

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
    DateTimeOffset CreatedAt, DateTimeOffset? HeartbeatAt, int? OwnerPid, RolloutPlan Plan);

/// <summary>Rollouts in the history database: created, followed board by board, stopped on request, loaded again to resume.</summary>
public sealed class RolloutStore(HistoryStore store)
{
    /// <summary>A rollout whose process gave no sign of life for this long is taken for dead (crashed or killed).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    /// <summary>Creates a running rollout owned by this process; returns its id.</summary>
    public long Create(ImageIdentity image, string imagePath, RolloutSettings settings, RolloutPlan plan) => store.Write((c, tx) =>
    {
        string now = Time(DateTimeOffset.UtcNow);
        HistoryStore.AddImage(c, tx, image, now);
        var f = settings.Fleet;
        long id = Convert.ToInt64(HistoryStore.Scalar(c, tx, """
            INSERT INTO rollouts (image_sha256, image_path, stages, max_failures, pause_seconds, parallel, max_rate, connect_timeout, stall_timeout, retries, retry_delay,
                wait_reboot, interface, force, skip_current, allow_downgrade, state, created_at, updated_at, heartbeat_at, owner_pid)
            VALUES ($sha, $path, $stages, $max, $pause, $parallel, $rate, $connect, $stall, $retries, $delay, $wait, $iface, $force, $skip, $downgrade,
                'running', $at, $at, $at, $pid) RETURNING id
            """, ("$sha", image.Sha256), ("$path", imagePath), ("$stages", settings.Stages), ("$max", settings.MaxFailures.ToString()),
            ("$pause", settings.PauseBetween.TotalSeconds), ("$parallel", f.MaxParallel ?? 0), ("$rate", f.MaxBytesPerSecond), ("$connect", f.ConnectTimeout.TotalSeconds), ("$stall", f.StallTimeout?.TotalSeconds), ("$retries", f.Retries),
            ("$delay", f.RetryDelay.TotalSeconds), ("$wait", f.WaitReboot?.TotalSeconds), ("$iface", f.Interface), ("$force", settings.Force),
            ("$skip", settings.SkipCurrent), ("$downgrade", settings.AllowDowngrade), ("$at", now), ("$pid", Environment.ProcessId)), CultureInfo.InvariantCulture);
        foreach (var b in plan.Boards)
            HistoryStore.Execute(c, tx, """
                INSERT INTO rollout_boards (rollout_id, board, position, stage, address, port, by_name, state, error, updated_at)
                VALUES ($id, $board, $position, $stage, $address, $port, $byName, $state, $error, $at)
                """, ("$id", id), ("$board", b.Target.Name), ("$position", b.Position), ("$stage", b.Stage), ("$address", b.Target.EndPoint.Address.ToString()),
                ("$port", b.Target.EndPoint.Port), ("$byName", b.Target.ByName), ("$state", b.State.Name()), ("$error", b.Error), ("$at", now));
        return id;
    });

    /// <summary>The rollout <paramref name="id"/>, or null if there is none.</summary>
    public RolloutRecord? Load(long id) => store.Read(c =>
    {
        using var command = HistoryStore.Command(c, null, """
            SELECT image_sha256, image_path, stages, max_failures, pause_seconds, parallel, connect_timeout, retries, retry_delay, wait_reboot,
                   interface, force, skip_current, allow_downgrade, state, reason, created_at, heartbeat_at, owner_pid, stall_timeout, max_rate
            FROM rollouts WHERE id = $id
            """, ("$id", id));
        using var r = command.ExecuteReader();
        if (!r.Read()) return null;
        var fleet = new FleetOptions
        {
            MaxParallel = r.GetInt32(5) is > 0 and var parallel ? parallel : null, MaxBytesPerSecond = r.IsDBNull(20) ? null : r.GetDouble(20),
            ConnectTimeout = TimeSpan.FromSeconds(r.GetDouble(6)), Retries = r.GetInt32(7),
            StallTimeout = r.IsDBNull(19) ? null : TimeSpan.FromSeconds(r.GetDouble(19)),
            RetryDelay = TimeSpan.FromSeconds(r.GetDouble(8)), WaitReboot = r.IsDBNull(9) ? null : TimeSpan.FromSeconds(r.GetDouble(9)),
            Interface = r.IsDBNull(10) ? null : r.GetString(10),
        };
        var settings = new RolloutSettings(r.GetString(2), FailureThreshold.Parse(r.GetString(3)), TimeSpan.FromSeconds(r.GetDouble(4)), fleet,
            r.GetBoolean(11), r.GetBoolean(12), r.GetBoolean(13));
        var record = (Sha: r.GetString(0), Path: r.GetString(1), Settings: settings, State: r.GetString(14), Reason: r.IsDBNull(15) ? null : r.GetString(15),
            Created: HistoryStore.ParseTime(r.GetString(16)), Heartbeat: r.IsDBNull(17) ? (DateTimeOffset?)null : HistoryStore.ParseTime(r.GetString(17)),
            Pid: r.IsDBNull(18) ? (int?)null : r.GetInt32(18));
        var boards = LoadBoards(c, id);
        int stages = boards.Count == 0 ? 0 : boards.Max(b => b.Stage);
        return new RolloutRecord(id, record.Sha, record.Path, record.Settings, record.State, record.Reason, record.Created, record.Heartbeat, record.Pid,
            new RolloutPlan(boards, stages));
    });

    private static List<RolloutBoard> LoadBoards(SqliteConnection c, long id)
    {
        using var command = HistoryStore.Command(c, null,
            "SELECT board, position, stage, address, port, by_name, state, error FROM rollout_boards WHERE rollout_id = $id ORDER BY position", ("$id", id));
        using var r = command.ExecuteReader();
        var boards = new List<RolloutBoard>();
        while (r.Read())
            boards.Add(new RolloutBoard(new FleetTarget(r.GetString(0), new IPEndPoint(IPAddress.Parse(r.GetString(3)), r.GetInt32(4)), r.GetBoolean(5)),
                r.GetInt32(2), r.GetInt32(1), RolloutBoardStateNames.Parse(r.GetString(6)), r.IsDBNull(7) ? null : r.GetString(7)));
        return boards;
    }

    /// <summary>The ids of the latest <paramref name="limit"/> rollouts, newest first.</summary>
    public IReadOnlyList<long> RecentIds(int limit) => store.Read(c =>
    {
        using var command = HistoryStore.Command(c, null, "SELECT id FROM rollouts ORDER BY id DESC LIMIT $limit", ("$limit", limit));
        using var r = command.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    });

    /// <summary>Records a board's new state.</summary>
    public void SetBoard(long id, RolloutBoard board) => store.Write((c, tx) => HistoryStore.Execute(c, tx,
        "UPDATE rollout_boards SET state = $state, error = $error, updated_at = $at WHERE rollout_id = $id AND board = $board",
        ("$id", id), ("$board", board.Target.Name), ("$state", board.State.Name()), ("$error", board.Error), ("$at", Time(DateTimeOffset.UtcNow))));

    /// <summary>Records how a run of the rollout ended.</summary>
    public void SetEnded(long id, RolloutEnd end, string? reason) => store.Write((c, tx) => HistoryStore.Execute(c, tx,
        "UPDATE rollouts SET state = $state, reason = $reason, updated_at = $at, heartbeat_at = NULL WHERE id = $id",
        ("$id", id), ("$state", StateName(end)), ("$reason", reason), ("$at", Time(DateTimeOffset.UtcNow))));

    /// <summary>The database name of a run's end: completed, emergency-stopped or stopped.</summary>
    public static string StateName(RolloutEnd end) => end switch
    {
        RolloutEnd.Completed => "completed",
        RolloutEnd.EmergencyStopped => "emergency-stopped",
        _ => "stopped",
    };

    /// <summary>This process is alive and runs rollout <paramref name="id"/>; returns true when a stop was requested.</summary>
    public bool Heartbeat(long id) => store.Write((c, tx) =>
    {
        HistoryStore.Execute(c, tx, "UPDATE rollouts SET heartbeat_at = $at, owner_pid = $pid WHERE id = $id",
            ("$id", id), ("$at", Time(DateTimeOffset.UtcNow)), ("$pid", Environment.ProcessId));
        return HistoryStore.Scalar(c, tx, "SELECT state FROM rollouts WHERE id = $id", ("$id", id)) as string == "stopping";
    });

    /// <summary>
    /// Asks the process running rollout <paramref name="id"/> to stop (it notices within a second); a rollout no process runs
    /// is marked stopped at once. Returns the state before, or null when there is no such rollout.
    /// </summary>
    public string? RequestStop(long id) => store.Write((c, tx) =>
    {
        var (state, heartbeat, pid) = StateOf(c, tx, id);
        if (state is null) return null;
        if (state is "running" or "stopping")
        {
            bool alive = IsAlive(heartbeat, pid);
            HistoryStore.Execute(c, tx, "UPDATE rollouts SET state = $state, reason = $reason, updated_at = $at WHERE id = $id",
                ("$id", id), ("$state", alive ? "stopping" : "stopped"), ("$reason", "stopped on request (--stop)"), ("$at", Time(DateTimeOffset.UtcNow)));
        }
        return state;
    });

    /// <summary>
    /// Takes rollout <paramref name="id"/> over to resume it: refused (returns false) while another live process runs it;
    /// otherwise it becomes running, owned by this process.
    /// </summary>
    public bool Claim(long id) => store.Write((c, tx) =>
    {
        var (state, heartbeat, pid) = StateOf(c, tx, id);
        if (state is "running" or "stopping" && pid != Environment.ProcessId && IsAlive(heartbeat, pid)) return false;
        HistoryStore.Execute(c, tx, "UPDATE rollouts SET state = 'running', reason = NULL, updated_at = $at, heartbeat_at = $at, owner_pid = $pid WHERE id = $id",
            ("$id", id), ("$at", Time(DateTimeOffset.UtcNow)), ("$pid", Environment.ProcessId));
        return true;
    });

    private static (string? State, DateTimeOffset? Heartbeat, int? Pid) StateOf(SqliteConnection c, SqliteTransaction tx, long id)
    {
        using var command = HistoryStore.Command(c, tx, "SELECT state, heartbeat_at, owner_pid FROM rollouts WHERE id = $id", ("$id", id));
        using var r = command.ExecuteReader();
        if (!r.Read()) return (null, null, null);
        return (r.GetString(0), r.IsDBNull(1) ? null : HistoryStore.ParseTime(r.GetString(1)), r.IsDBNull(2) ? null : r.GetInt32(2));
    }

    /// <summary>A recent heartbeat from a process that still exists (on this machine): a killed process is dead at once, a hung one after <see cref="StaleAfter"/>.</summary>
    private static bool IsAlive(DateTimeOffset? heartbeat, int? pid)
    {
        if (heartbeat is not { } h || DateTimeOffset.UtcNow - h >= StaleAfter) return false;
        if (pid is not { } p) return true;
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

    private static string Time(DateTimeOffset at) => HistoryStore.Time(at);
}

/// <summary>The journal of one rollout in the database, through a <see cref="BestEffortHistory"/>: if the database fails, the rollout runs on (not resumable).</summary>
public sealed class RolloutJournal(BestEffortHistory history, long id) : IRolloutJournal
{
    /// <inheritdoc />
    public void Board(RolloutBoard board) => history.Try(s => new RolloutStore(s).SetBoard(id, board));

    /// <inheritdoc />
    public void Ended(RolloutEnd end, string? reason) => history.Try(s => new RolloutStore(s).SetEnded(id, end, reason));

    /// <inheritdoc />
    public bool Heartbeat() => history.Try(s => new RolloutStore(s).Heartbeat(id), false);
}
