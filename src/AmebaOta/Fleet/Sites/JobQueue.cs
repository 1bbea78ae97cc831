using System.Data.Common;
using System.Net;
using AmebaOta.Fleet.History;
using Npgsql;
using static AmebaOta.Fleet.History.SqlSession;

namespace AmebaOta.Fleet.Sites;

/// <summary>
/// The work queue of the site agents, in PostgreSQL: coordinators (<c>fleet rollout</c>, the dashboard) enqueue one job per
/// board; the agent of the board's site claims it (<c>FOR UPDATE SKIP LOCKED</c>: two agents never take the same job) under a
/// lease it renews, records every change as it happens, and every change is announced (<c>NOTIFY</c>) so that work starts and
/// is seen within a second. A lease that runs out (its agent was killed) makes the job interrupted, and the next claim at its
/// site takes it over. One open job per board (a unique index): a board is never updated by two workers at once. Every time
/// is the database's clock, so the machines' clocks never matter.
/// </summary>
public sealed class JobQueue
{
    /// <summary>Notified with the site's name when it has new work.</summary>
    public const string WorkChannel = "amebaota_jobs";
    /// <summary>Notified with a batch when one of its jobs changes.</summary>
    public const string EventChannel = "amebaota_job_events";

    private const string Open = "('queued', 'running', 'interrupted')";
    private const string Columns = """
        id, site, board, family, address, port, image_sha256, rollout_id, batch, command, connect_timeout, stall_timeout, retries, retry_delay, wait_reboot,
        state, detail, bytes_sent, length, attempt, runs, cancel_requested, lease_owner, upload_id, error, reboot_ms, requested_by,
        COALESCE(lease_until < now(), FALSE)
        """;

    private readonly HistoryStore _store;

    /// <summary>The queue in <paramref name="store"/>, which must be PostgreSQL.</summary>
    /// <exception cref="HistoryException">It is a SQLite file.</exception>
    public JobQueue(HistoryStore store)
    {
        if (store.Engine != DatabaseEngine.Postgres)
            throw new HistoryException($"site agents and their jobs need PostgreSQL; '{store.Where}' is a SQLite file (see ameba-ota db copy)");
        _store = store;
    }

    /// <summary>The database.</summary>
    public HistoryStore Store => _store;

    /// <summary>A new batch name: a run follows the jobs of its batch.</summary>
    public static string NewBatch() => Guid.NewGuid().ToString("n");

    /// <summary>
    /// Enqueues one job per board (one transaction, the image's bytes kept for the agents) and wakes the sites' agents.
    /// </summary>
    /// <exception cref="BoardBusyException">A board already has an open job: nothing is enqueued.</exception>
    public IReadOnlyList<long> Enqueue(IReadOnlyList<JobRequest> requests, ImageIdentity image, ReadOnlyMemory<byte> bytes, FleetOptions options,
        string command, string batch, long? rolloutId = null) => _store.Write(s =>
    {
        HistoryStore.AddImage(s, image, DateTimeOffset.UtcNow);
        s.Execute("INSERT INTO image_blobs (sha256, bytes) VALUES (@sha, @bytes) ON CONFLICT (sha256) DO NOTHING", ("sha", image.Sha256), ("bytes", bytes.ToArray()));
        var ids = new List<long>();
        foreach (var r in requests)
        {
            var busy = s.Query($"SELECT id, requested_by FROM jobs WHERE board = @board AND state IN {Open}", x => (Long(x, 0), x.GetString(1)), ("board", r.Target.Name));
            if (busy.Count > 0) throw new BoardBusyException(r.Target.Name, busy[0].Item1, busy[0].Item2);
            try
            {
                ids.Add(s.Long("""
                    INSERT INTO jobs (site, board, family, address, port, image_sha256, rollout_id, batch, command, connect_timeout, stall_timeout, retries,
                        retry_delay, wait_reboot, state, length, requested_by, created_at, updated_at)
                    VALUES (@site, @board, @family, @address, @port, @sha, @rollout, @batch, @command, @connect, @stall, @retries, @delay, @wait, 'queued',
                        @length, @actor, now(), now()) RETURNING id
                    """, ("site", r.Site), ("board", r.Target.Name), ("family", r.Family), ("address", r.Target.EndPoint.Address.ToString()),
                    ("port", r.Target.EndPoint.Port), ("sha", image.Sha256), ("rollout", rolloutId), ("batch", batch), ("command", command),
                    ("connect", options.ConnectTimeout.TotalSeconds), ("stall", options.StallTimeout?.TotalSeconds), ("retries", options.Retries),
                    ("delay", options.RetryDelay.TotalSeconds), ("wait", options.WaitReboot?.TotalSeconds), ("length", (long)bytes.Length), ("actor", Actor.Current)));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Another coordinator enqueued for this board between our check and our insert.
                throw new BoardBusyException(r.Target.Name, 0, "another coordinator, just now");
            }
        }
        foreach (var site in requests.Select(r => r.Site).Distinct()) s.Execute("SELECT pg_notify(@channel, @site)", ("channel", WorkChannel), ("site", site));
        HistoryStore.AddAudit(s, "jobs.request", rolloutId is { } id ? $"rollout {id}" : $"batch {batch[..8]}",
            $"{command}: {image.FileName} ({image.ShortSha}) to {requests.Count} board{(requests.Count == 1 ? "" : "s")} at {string.Join(", ", requests.Select(r => r.Site).Distinct().Order())}");
        return ids;
    });

    /// <summary>
    /// Claims up to <paramref name="max"/> jobs of <paramref name="site"/> for <paramref name="agent"/>: queued ones, those an agent
    /// handed back when it stopped, and, with <paramref name="takeOver"/>, those of another agent whose lease ran out (taken over:
    /// the dead attempt's upload is recorded as interrupted). Never a job <paramref name="agent"/> holds itself, expired or not:
    /// it is still sending it, or will hand it back.
    /// </summary>
    public IReadOnlyList<ClaimedJob> Claim(string site, string agent, TimeSpan lease, int max, bool takeOver = true) => max <= 0 ? [] : _store.Write(s =>
    {
        // Jobs cancelled while their agent was dead end here.
        s.Execute($"""
            UPDATE jobs SET state = 'cancelled', ended_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL,
                error = COALESCE(error, 'cancelled')
            WHERE site = @site AND cancel_requested AND state IN ('queued', 'running', 'interrupted') AND (lease_until IS NULL OR lease_until < now())
            """, ("site", site));
        var picked = s.Query($"""
            WITH picked AS (
                SELECT id, state AS old_state, lease_owner AS old_owner, upload_id AS old_upload, detail AS old_detail FROM jobs
                WHERE site = @site AND NOT cancel_requested
                  AND (state = 'queued' OR (state = 'interrupted' AND lease_owner IS NULL)
                       OR (@takeover AND state IN ('running', 'interrupted') AND (lease_until IS NULL OR lease_until < now())
                           AND lease_owner IS DISTINCT FROM @agent))
                ORDER BY id LIMIT @max FOR UPDATE SKIP LOCKED)
            UPDATE jobs j SET state = 'running', detail = 'claimed', lease_owner = @agent, lease_until = now() + make_interval(secs => @lease),
                runs = j.runs + 1, upload_id = NULL, bytes_sent = 0, updated_at = now()
            FROM picked WHERE j.id = picked.id
            RETURNING j.id, picked.old_state, picked.old_owner, picked.old_upload, picked.old_detail
            """, r => (Id: Long(r, 0), OldState: r.GetString(1), OldOwner: Text(r, 2), OldUpload: LongOrNull(r, 3), OldDetail: Text(r, 4)),
            ("site", site), ("max", max), ("agent", agent), ("lease", lease.TotalSeconds), ("takeover", takeOver));
        var claimed = new List<ClaimedJob>();
        foreach (var p in picked)
        {
            string? previous = p.OldState is "running" or "interrupted" ? p.OldOwner : null;
            if (p.OldUpload is { } upload)
                s.Execute("""
                    UPDATE uploads SET ended_at = now(), outcome = 'interrupted', exit_code = 130,
                        error = @error WHERE id = @id AND ended_at IS NULL
                    """, ("id", upload), ("error", $"interrupted: agent {p.OldOwner} stopped before it ended (killed, or cut off from the database); {agent} takes it over"));
            if (previous is not null) HistoryStore.AddAudit(s, "job.takeover", $"job {p.Id}", $"{agent} takes over from {previous}", agent);
            // The board was taking the image when its agent went (killed, or stopped and handed the job back): its transfer was cut.
            bool cut = p.OldState is "running" or "interrupted" && p.OldUpload is not null && p.OldDetail is "board-erasing" or "sending";
            claimed.Add(new ClaimedJob(Load(s, p.Id)!, previous, cut));
        }
        foreach (var batch in claimed.Select(c => c.Job.Batch).Distinct()) Notify(s, batch);
        return claimed;
    });

    /// <summary>
    /// Renews the lease of every job <paramref name="agent"/> runs and records its heartbeat; returns, for each job it still holds,
    /// whether it has been asked to cancel it. A job missing from the answer is no longer this agent's: it must stop sending.
    /// </summary>
    public IReadOnlyDictionary<long, bool> Renew(string agent, TimeSpan lease, int boardsSeen, int jobsRunning) => _store.Write(s =>
    {
        s.Execute("UPDATE agents SET heartbeat_at = now(), boards = @boards, jobs_running = @jobs WHERE name = @name",
            ("name", agent), ("boards", boardsSeen), ("jobs", jobsRunning));
        return s.Query("""
            UPDATE jobs SET lease_until = now() + make_interval(secs => @lease) WHERE lease_owner = @agent AND state = 'running'
            RETURNING id, cancel_requested
            """, r => (Long(r, 0), Bool(r, 1)), ("agent", agent), ("lease", lease.TotalSeconds)).ToDictionary(x => x.Item1, x => x.Item2);
    });

    /// <summary>Records the upload the agent is about to start for a job it holds (never an upload it cannot record); returns its id.</summary>
    /// <exception cref="InvalidOperationException">The job is no longer this agent's.</exception>
    public long BeginUpload(SiteJob job, string agent, IPEndPoint endPoint, ImageIdentity image) => _store.Write(s =>
    {
        if (s.Scalar("SELECT lease_owner FROM jobs WHERE id = @id AND state = 'running' FOR UPDATE", ("id", job.Id)) as string != agent)
            throw new InvalidOperationException($"job {job.Id} is no longer held by {agent}");
        long id = HistoryStore.BeginUpload(s, new UploadStart(job.Target.Name, endPoint, true, image, job.Command, job.RolloutId)
        {
            Family = job.Family, Site = job.Site, Actor = job.RequestedBy, Agent = agent, JobId = job.Id,
        }, Environment.ProcessId);
        s.Execute("UPDATE jobs SET upload_id = @upload, address = @address, port = @port, updated_at = now() WHERE id = @id",
            ("upload", id), ("id", job.Id), ("address", endPoint.Address.ToString()), ("port", endPoint.Port));
        return id;
    });

    /// <summary>
    /// Jobs' progress (while they run): what the uploader is doing, bytes the board acknowledged, the attempt. One short
    /// transaction per job: a transaction that locked several jobs' rows could deadlock with a lease renewal locking them in
    /// another order.
    /// </summary>
    public void Progress(IEnumerable<JobProgress> progress, string agent)
    {
        foreach (var p in progress)
            _store.Write(s =>
            {
                if (s.Execute("""
                    UPDATE jobs SET detail = @detail, bytes_sent = @bytes, attempt = @attempt, error = @error, updated_at = now()
                    WHERE id = @id AND lease_owner = @agent AND state = 'running'
                    """, ("id", p.Job.Id), ("agent", agent), ("detail", p.Detail), ("bytes", p.Bytes), ("attempt", p.Attempt), ("error", p.Error)) > 0)
                    Notify(s, p.Job.Batch);
            });
    }

    /// <summary>
    /// How the job ended, with its upload's end, in one transaction. The upload is recorded even when the job was taken over
    /// meanwhile (the database was out of reach for longer than the lease); returns false then.
    /// </summary>
    public bool Finish(SiteJob job, string agent, long? uploadId, JobState state, UploadEnd? upload, long bytes, int attempt) => _store.Write(s =>
    {
        // The job's row first, then its upload's, as every write here locks them (a takeover too): never a deadlock between them.
        int rows = s.Execute("""
            UPDATE jobs SET state = @state, detail = CASE WHEN @state = 'interrupted' THEN detail ELSE NULL END, error = @error, reboot_ms = @reboot, bytes_sent = @bytes, attempt = @attempt,
                lease_owner = CASE WHEN @state = 'interrupted' THEN NULL ELSE lease_owner END, lease_until = NULL, updated_at = now(),
                ended_at = CASE WHEN @state = 'interrupted' THEN NULL ELSE now() END
            WHERE id = @id AND lease_owner = @agent AND state = 'running'
            """, ("id", job.Id), ("agent", agent), ("state", state.Name()), ("error", upload?.Error),
            ("reboot", upload?.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null), ("bytes", bytes), ("attempt", attempt));
        if (uploadId is { } id && upload is not null) HistoryStore.FinishUpload(s, id, upload);
        Notify(s, job.Batch);
        if (state == JobState.Interrupted) s.Execute("SELECT pg_notify(@channel, @site)", ("channel", WorkChannel), ("site", job.Site));
        return rows > 0;
    });

    /// <summary>Every job of <paramref name="batch"/>, by id.</summary>
    public IReadOnlyList<SiteJob> Batch(string batch) => _store.Read(s => s.Query($"SELECT {Columns} FROM jobs WHERE batch = @batch ORDER BY id", ReadJob, ("batch", batch)));

    /// <summary>The open jobs (queued, running, interrupted), oldest first.</summary>
    public IReadOnlyList<SiteJob> OpenJobs() => _store.Read(s => s.Query($"SELECT {Columns} FROM jobs WHERE state IN {Open} ORDER BY id", ReadJob));

    /// <summary>
    /// Cancels every open job of <paramref name="batch"/>: a queued one at once, a running one by asking its agent (it cuts the
    /// transfer within a lease renewal: the board keeps its old image). Returns how many were asked.
    /// </summary>
    public int Cancel(string batch, string reason) => _store.Write(s =>
    {
        int queued = s.Execute("""
            UPDATE jobs SET state = 'cancelled', error = @reason, ended_at = now(), updated_at = now() WHERE batch = @batch AND state = 'queued'
            """, ("batch", batch), ("reason", reason));
        int running = s.Execute($"""
            UPDATE jobs SET cancel_requested = TRUE, error = COALESCE(error, @reason), updated_at = now() WHERE batch = @batch AND state IN ('running', 'interrupted')
            """, ("batch", batch), ("reason", reason));
        Notify(s, batch);
        foreach (var site in s.Query("SELECT DISTINCT site FROM jobs WHERE batch = @batch", r => r.GetString(0), ("batch", batch)))
            s.Execute("SELECT pg_notify(@channel, @site)", ("channel", WorkChannel), ("site", site));   // agents cut those transfers now
        if (queued + running > 0) HistoryStore.AddAudit(s, "jobs.cancel", $"batch {batch[..8]}", $"{reason}: {queued} queued, {running} running");
        return queued + running;
    });

    /// <summary>An agent starts: it shows itself in the database (and any older row of the same name is replaced).</summary>
    public void AgentStarted(string name, string site, string? networkInterface, string? version) => _store.Write(s =>
    {
        s.Execute("""
            INSERT INTO agents (name, site, host, pid, version, interface, started_at, heartbeat_at) VALUES (@name, @site, @host, @pid, @version, @iface, now(), now())
            ON CONFLICT (name) DO UPDATE SET site = excluded.site, host = excluded.host, pid = excluded.pid, version = excluded.version,
                interface = excluded.interface, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
            """, ("name", name), ("site", site), ("host", Environment.MachineName), ("pid", Environment.ProcessId), ("version", version), ("iface", networkInterface));
        HistoryStore.AddAudit(s, "agent.start", $"site {site}", name, name);
    });

    /// <summary>An agent stops cleanly.</summary>
    public void AgentStopped(string name) => _store.Write(s => s.Execute("UPDATE agents SET stopped_at = now(), jobs_running = 0 WHERE name = @name", ("name", name)));

    /// <summary>Every agent that ever ran; alive when its heartbeat is under <paramref name="staleAfter"/> old and it did not stop.</summary>
    public IReadOnlyList<AgentRecord> Agents(TimeSpan staleAfter) => _store.Read(s => s.Query("""
        SELECT name, site, host, pid, version, interface, started_at, heartbeat_at, stopped_at, boards, jobs_running,
               stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => @stale)
        FROM agents ORDER BY site, name
        """, r => new AgentRecord(r.GetString(0), r.GetString(1), r.GetString(2), Int(r, 3), Text(r, 4), Text(r, 5), Time(r, 6), Time(r, 7), TimeOrNull(r, 8),
            Int(r, 9), Int(r, 10), Bool(r, 11)), ("stale", staleAfter.TotalSeconds)));

    /// <summary>The boards that agents have seen at their sites within <paramref name="seenWithin"/> (every site, or those named).</summary>
    public IReadOnlyList<(FleetTarget Target, string Site, string Family)> SiteBoards(IReadOnlyCollection<string>? sites, TimeSpan seenWithin) =>
        _store.Read(s => s.Query("""
            SELECT name, address, port, site, family FROM boards
            WHERE site IS NOT NULL AND address IS NOT NULL AND last_seen > now() - make_interval(secs => @within) ORDER BY name
            """, r => (new FleetTarget(r.GetString(0), new IPEndPoint(IPAddress.Parse(r.GetString(1)), Int(r, 2)), ByName: true), r.GetString(3), r.GetString(4)),
            ("within", seenWithin.TotalSeconds)))
        .Where(b => sites is null || sites.Contains(b.Item2, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>Every site: its agents (alive within <paramref name="staleAfter"/>), its boards (online: seen within <paramref name="onlineWithin"/>) and its open jobs.</summary>
    public IReadOnlyList<SiteSummary> Sites(TimeSpan staleAfter, TimeSpan onlineWithin) => _store.Read(s => s.Query($"""
        WITH names AS (SELECT site FROM agents UNION SELECT site FROM boards WHERE site IS NOT NULL)
        SELECT n.site,
            (SELECT COUNT(*) FROM agents a WHERE a.site = n.site AND a.stopped_at IS NULL AND a.heartbeat_at > now() - make_interval(secs => @stale)),
            (SELECT COUNT(*) FROM agents a WHERE a.site = n.site),
            (SELECT COUNT(*) FROM boards b WHERE b.site = n.site),
            (SELECT COUNT(*) FROM boards b WHERE b.site = n.site AND b.last_seen > now() - make_interval(secs => @online)),
            (SELECT COUNT(*) FROM jobs j WHERE j.site = n.site AND j.state IN {Open}),
            (SELECT MAX(heartbeat_at) FROM agents a WHERE a.site = n.site)
        FROM names n ORDER BY n.site
        """, r => new SiteSummary(r.GetString(0), Int(r, 1), Int(r, 2), Int(r, 3), Int(r, 4), Int(r, 5), TimeOrNull(r, 6)),
        ("stale", staleAfter.TotalSeconds), ("online", onlineWithin.TotalSeconds)));

    /// <summary>Every board an agent has recorded at its site, with how long ago (by the database's clock) it was last seen there.</summary>
    public IReadOnlyList<SiteBoard> AllSiteBoards() => _store.Read(s => s.Query("""
        SELECT name, address, port, site, family, last_seen, EXTRACT(EPOCH FROM now() - last_seen) FROM boards WHERE site IS NOT NULL ORDER BY name
        """, r => new SiteBoard(r.GetString(0), Text(r, 1) is { } a && IPAddress.TryParse(a, out var ip) && IntOrNull(r, 2) is { } port ? new IPEndPoint(ip, port) : null,
            r.GetString(3), r.GetString(4), TimeOrNull(r, 5), DoubleOrNull(r, 6) is { } age ? TimeSpan.FromSeconds(Math.Max(0, age)) : null)));

    /// <summary>
    /// What work already open would conflict with updating <paramref name="boards"/> now: an open job (a board is never updated
    /// by two workers at once), or a live rollout other than <paramref name="exceptRollout"/> that has not done the board yet
    /// (it will send to it at its stage). At most one per board, in name order; empty when there is none.
    /// </summary>
    public IReadOnlyList<WorkConflict> Conflicts(IReadOnlyCollection<string> boards, long? exceptRollout = null)
    {
        var wanted = new HashSet<string>(boards, StringComparer.OrdinalIgnoreCase);
        var since = DateTimeOffset.UtcNow - Rollouts.RolloutStore.StaleAfter;
        return _store.Read<IReadOnlyList<WorkConflict>>(s =>
        {
            var found = new Dictionary<string, WorkConflict>(StringComparer.OrdinalIgnoreCase);
            foreach (var (board, id, by, command) in s.Query($"SELECT board, id, requested_by, command FROM jobs WHERE state IN {Open} ORDER BY id",
                r => (r.GetString(0), Long(r, 1), r.GetString(2), r.GetString(3))))
                if (wanted.Contains(board)) found.TryAdd(board, new WorkConflict(board, true, $"job {id}, asked for by {by} with {command}"));
            foreach (var (board, id, by, state) in s.Query("""
                SELECT b.board, r.id, COALESCE(r.actor, '?'), b.state FROM rollout_boards b JOIN rollouts r ON r.id = b.rollout_id
                WHERE r.state IN ('running', 'stopping') AND r.heartbeat_at >= @since AND b.state IN ('pending', 'uploading', 'rebooting')
                ORDER BY r.id
                """, r => (r.GetString(0), Long(r, 1), r.GetString(2), r.GetString(3)), ("since", since)))
                if (id != exceptRollout && wanted.Contains(board)) found.TryAdd(board, new WorkConflict(board, false, $"rollout {id}, asked for by {by}: {state} there"));
            return [.. found.Values.OrderBy(f => f.Board, StringComparer.OrdinalIgnoreCase)];
        });
    }

    /// <summary>The <see cref="Conflicts"/> in one sentence, the first few named: nothing was started.</summary>
    public static string ConflictSentence(IReadOnlyList<WorkConflict> conflicts)
    {
        const string Tail = ": nothing was started; wait for that work to end, or stop it";
        if (conflicts.Count == 1) return conflicts[0] + Tail;
        var named = string.Join(", ", conflicts.Take(3).Select(c => $"{c.Board} ({c.Work})"));
        return $"{conflicts.Count} of the boards already have work open: {named}{(conflicts.Count > 3 ? $" and {conflicts.Count - 3} more" : "")}{Tail}";
    }

    private static SiteJob? Load(SqlSession s, long id) => s.Query($"SELECT {Columns} FROM jobs WHERE id = @id", ReadJob, ("id", id)).FirstOrDefault();

    private static SiteJob ReadJob(DbDataReader r) => new(
        Long(r, 0), r.GetString(1), new FleetTarget(r.GetString(2), new IPEndPoint(IPAddress.Parse(r.GetString(4)), Int(r, 5)), ByName: true), r.GetString(3),
        r.GetString(6), LongOrNull(r, 7), r.GetString(8), r.GetString(9),
        new FleetOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(Double(r, 10)), StallTimeout = DoubleOrNull(r, 11) is { } stall ? TimeSpan.FromSeconds(stall) : null,
            Retries = Int(r, 12), RetryDelay = TimeSpan.FromSeconds(Double(r, 13)), WaitReboot = DoubleOrNull(r, 14) is { } wait ? TimeSpan.FromSeconds(wait) : null,
            MaxParallel = 1,
        },
        JobStates.Parse(r.GetString(15)), Text(r, 16), Long(r, 17), Long(r, 18), Int(r, 19), Int(r, 20), Bool(r, 21), Text(r, 22), LongOrNull(r, 23),
        Text(r, 24), DoubleOrNull(r, 25), r.GetString(26), Bool(r, 27));

    private static void Notify(SqlSession s, string batch) => s.Execute("SELECT pg_notify(@channel, @batch)", ("channel", EventChannel), ("batch", batch));
}
