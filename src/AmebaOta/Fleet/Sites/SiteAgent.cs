using System.Collections.Concurrent;
using AmebaOta.Discovery;
using AmebaOta.Fleet.History;

namespace AmebaOta.Fleet.Sites;

/// <summary>
/// The agent of one site: runs next to the boards and opens only outbound connections (to PostgreSQL). It finds the site's
/// boards by mDNS and records them with their site; it claims the jobs asked for them, runs the same uploader as
/// <c>fleet upload</c> (<see cref="FleetUpdater"/>) for each, and records every change as it happens. PostgreSQL out of reach:
/// discovery goes on, every write is retried with back-off, no upload starts that cannot be recorded, and what was done is
/// recorded once the database is back. No console I/O: <see cref="Log"/> carries one line per event worth keeping.
/// </summary>
public sealed class SiteAgent(DatabaseLocation database, SiteAgentOptions options)
{
    private readonly ConcurrentDictionary<string, DiscoveredService> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, BoardSighting> _unrecorded = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<long, RunningJob> _running = new();
    private readonly ConcurrentDictionary<string, byte[]> _images = new();
    private readonly ConcurrentDictionary<long, JobProgress> _progress = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _connectedAt = long.MaxValue;   // Stopwatch timestamp of the last (re)connection to the database
    private HistoryStore? _store;
    private JobQueue? _queue;
    private int _outage;

    /// <summary>This agent's name in the database: <c>SITE/HOST/PID</c>.</summary>
    public string Name { get; } = $"{options.Site}/{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>One line per event worth keeping (jobs claimed and ended, the database lost and back). Raised from worker threads.</summary>
    public event Action<string>? Log;

    /// <summary>Raised once the agent is registered in the database and listens for work.</summary>
    public event Action? Ready;

    /// <summary>Boards answering by mDNS now.</summary>
    public int BoardsSeen => _seen.Count;

    private sealed class RunningJob(ClaimedJob claimed)
    {
        public SiteJob Job { get; } = claimed.Job;
        public bool WasCut { get; } = claimed.WasCut;
        public CancellationTokenSource Stop { get; } = new();
        public volatile string? StopReason;
        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; then cuts the transfers under way (the boards keep their old image) and hands their jobs back.</summary>
    /// <exception cref="HistoryException">The database refuses this agent for good (no such database, no right, a newer schema).</exception>
    /// <exception cref="MdnsException">mDNS cannot be used on the interface.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var discovery = Task.Run(() => DiscoverAsync(stop.Token), CancellationToken.None);
        try
        {
            await ConnectAsync(stop.Token);
            var queue = _queue!;
            await Retry(() => queue.AgentStarted(Name, options.Site, options.Interface, options.Version), "register", stop.Token);
            var listen = Task.Run(() => ListenAsync(stop.Token), CancellationToken.None);
            // Leases and progress on threads of their own: however busy the thread pool is with uploads, a lease is renewed in time.
            var renew = Dedicated("lease renewal", () => Every(TimeSpan.FromTicks(options.Lease.Ticks / 3), CheckLeases, stop.Token));
            var progress = Dedicated("job progress", () => Every(TimeSpan.FromMilliseconds(250), FlushProgress, stop.Token));
            var record = Task.Run(() => RecordSightingsAsync(stop.Token), CancellationToken.None);
            Log?.Invoke($"agent {Name}: site {options.Site}, database {database.Display}, mDNS on {options.Interface ?? "every multicast interface"}; waiting for work");
            Ready?.Invoke();
            await WorkAsync(stop.Token);
            await Task.WhenAll(listen, renew, progress, record).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            stop.Cancel();
            foreach (var job in _running.Values) { job.StopReason = "the agent is stopping"; job.Stop.Cancel(); }
            await Task.WhenAll(_running.Values.Select(j => j.Task)).WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(_ => { }, TaskScheduler.Default);
            await discovery.ContinueWith(_ => { }, TaskScheduler.Default);
            if (_queue is { } q) { try { q.AgentStopped(Name); } catch (HistoryException) { } }
            _store?.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                _store = HistoryStore.Open(database);
                _queue = new JobQueue(_store);
                Volatile.Write(ref _connectedAt, System.Diagnostics.Stopwatch.GetTimestamp());
                return;
            }
            catch (HistoryException e) when (IsTransient(e))
            {
                Log?.Invoke($"cannot reach the database yet ({e.Message}); trying again in {wait.TotalSeconds:0} s (discovery goes on)");
                await Task.Delay(wait, ct);
                wait = Next(wait);
            }
        }
    }

    private static bool IsTransient(HistoryException e) => BestEffortHistory.IsTransient(e);

    /// <summary>A write the database refused for another reason than a lost connection (a right taken away, a bug): said, and tried again later; the agent goes on.</summary>
    private void Refused(HistoryException e, string what) => Log?.Invoke($"the database refused {what} ({e.Message}); trying again");

    private TimeSpan Next(TimeSpan wait) => TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, options.MaxBackoff.Ticks));

    /// <summary>Runs a write until it is recorded (the database may be out of reach for a while).</summary>
    private async Task Retry(Action write, string what, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                write();
                Back();
                return;
            }
            catch (HistoryException e) when (IsTransient(e))
            {
                Lost(e);
                await Task.Delay(wait, ct);
                wait = Next(wait);
            }
        }
    }

    private async Task DiscoverAsync(CancellationToken ct)
    {
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = options.Interface });
        try
        {
            await foreach (var e in browser.WatchAsync(ct))
            {
                if (e.Kind == ServiceEventKind.Appeared)
                {
                    _seen[e.Service.InstanceName] = e.Service;
                    _unrecorded[e.Service.InstanceName] = BoardSighting.Of(e.Service) with { Site = options.Site };
                }
                else
                {
                    _seen.TryRemove(e.Service.InstanceName, out _);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (MdnsException e)
        {
            Log?.Invoke($"mDNS: {e.Message}; no board of this site can be found");
        }
    }

    /// <summary>Boards still answering are recorded as seen again this often (a board that never changes is not taken for gone).</summary>
    public static readonly TimeSpan RefreshSeen = TimeSpan.FromSeconds(30);

    private async Task RecordSightingsAsync(CancellationToken ct)
    {
        var refresh = System.Diagnostics.Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), ct); }
            catch (OperationCanceledException) { return; }
            if (refresh.Elapsed > RefreshSeen)
            {
                refresh.Restart();
                foreach (var service in _seen.Values) _unrecorded[service.InstanceName] = BoardSighting.Of(service) with { Site = options.Site };
            }
            if (_unrecorded.IsEmpty) continue;
            var batch = _unrecorded.ToArray();
            try
            {
                _store!.RecordSightings(batch.Select(p => p.Value));
                foreach (var (name, sighting) in batch) _unrecorded.TryRemove(new KeyValuePair<string, BoardSighting>(name, sighting));
                Back();
            }
            catch (HistoryException e) when (IsTransient(e))
            {
                Lost(e);
            }
            catch (HistoryException e)
            {
                Refused(e, "the boards seen");
            }
        }
    }

    /// <summary>Wakes the work loop on each notification for this site, on its own connection (reconnecting with back-off).</summary>
    private Task ListenAsync(CancellationToken ct) => JobNotifications.ListenAsync(_store!, JobQueue.WorkChannel,
        payload => string.Equals(payload, options.Site, StringComparison.OrdinalIgnoreCase), () => _wake.Release(), options.MaxBackoff, ct);

    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await _wake.WaitAsync(options.PollInterval, ct); }
            catch (OperationCanceledException) { return; }
            while (_wake.CurrentCount > 0) _wake.Wait(0);
            if (!_running.IsEmpty) CheckLeases();   // a stop is announced the same way: cut those transfers now
            IReadOnlyList<ClaimedJob> claimed;
            try
            {
                // Another agent's job whose lease ran out is taken over only once this agent has been connected for a whole lease:
                // after the database was out of reach, that agent (if alive) has renewed by then, and keeps its job.
                claimed = _queue!.Claim(options.Site, Name, options.Lease, options.MaxJobs - _running.Count, takeOver: ConnectedFor >= options.Lease);
                Back();
            }
            catch (HistoryException e) when (IsTransient(e))
            {
                Lost(e);
                continue;
            }
            catch (HistoryException e)
            {
                Refused(e, "a claim for work");
                continue;
            }
            foreach (var c in claimed)
            {
                var job = new RunningJob(c);
                _running[c.Job.Id] = job;
                Log?.Invoke($"job {c.Job.Id}: {c.Job.Target.Name} {(c.TakenOverFrom is { } before ? $"taken over from {before} (it stopped mid-update)" : "claimed")}, asked for by {c.Job.RequestedBy}");
                job.Task = Task.Run(() => RunJobAsync(job, ct), CancellationToken.None);
            }
        }
    }

    private static Task Dedicated(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try { body(); done.SetResult(); }
            catch (Exception e) { done.SetException(e); }
        }) { IsBackground = true, Name = name }.Start();
        return done.Task;
    }

    private void Every(TimeSpan interval, Action action, CancellationToken ct)
    {
        while (!ct.WaitHandle.WaitOne(interval))
        {
            try { action(); }
            catch (HistoryException e) { Refused(e, "a write"); }
        }
    }

    private TimeSpan ConnectedFor => Volatile.Read(ref _connectedAt) is var at && at == long.MaxValue ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(at);

    private void Lost(HistoryException e)
    {
        if (Interlocked.Exchange(ref _outage, 1) == 0) Log?.Invoke($"lost the database ({e.Message}); retrying with back-off, discovery and uploads under way go on");
    }

    private void Back()
    {
        if (Interlocked.Exchange(ref _outage, 0) != 1) return;
        Volatile.Write(ref _connectedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        Log?.Invoke("the database is back: recording again");
    }

    /// <summary>Writes the jobs' latest progress (from the uploads' threads, which never wait for the database), one transaction for all.</summary>
    private void FlushProgress()
    {
        if (_progress.IsEmpty) return;
        var batch = _progress.ToArray();
        try
        {
            _queue!.Progress(batch.Select(p => p.Value), Name);
            foreach (var item in batch) _progress.TryRemove(item);
        }
        catch (HistoryException)
        {
            // Progress is not worth waiting for (the next flush writes the latest); the end of a job is retried until recorded.
        }
    }

    /// <summary>Renews the leases; stops at once a job that was cancelled, or that another agent holds now.</summary>
    private void CheckLeases()
    {
        // Only jobs this agent ran before the renewal was asked for are judged by its answer: a job claimed meanwhile (on the work
        // loop's thread) is missing from it, and was taken for lost: cut and handed back, then claimed and sent again.
        var judged = _running.Values.ToList();
        IReadOnlyDictionary<long, bool> held;
        try
        {
            held = _queue!.Renew(Name, options.Lease, _seen.Count, _running.Count);
        }
        catch (HistoryException e) when (IsTransient(e))
        {
            Lost(e);
            return;
        }
        catch (HistoryException e)
        {
            Refused(e, "the renewal of its leases");
            return;
        }
        Back();
        {
            foreach (var job in judged)
            {
                if (!held.TryGetValue(job.Job.Id, out bool cancel))
                {
                    if (job.StopReason is null) { job.StopReason = "lost"; job.Stop.Cancel(); }
                }
                else if (cancel && job.StopReason is null)
                {
                    job.StopReason = "cancelled";
                    job.Stop.Cancel();
                }
            }
        }
    }

    private async Task RunJobAsync(RunningJob running, CancellationToken agentStopping)
    {
        var job = running.Job;
        long? uploadId = null;
        FleetBoardStatus? last = null;
        FleetBoardState? beforeLast = null;
        bool connected = false;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(running.Stop.Token, agentStopping);
            byte[]? image = null;
            await Retry(() => image = _images.GetOrAdd(job.ImageSha256, sha => _store!.ImageBytes(sha)
                ?? throw new InvalidDataException($"the database has no bytes for image {sha[..12]}")), "image", linked.Token);
            var parsed = Families.BoardFamilies.ParseImage(image!);
            // A board is never sent another family's image (the coordinator plans by family; this holds whoever asked).
            if (Families.BoardFamilies.Find(job.Family) is { } family && family != parsed.Family)
                throw new InvalidDataException($"{job.Target.Name}'s family is {family.DisplayName} and the image is for {parsed.Family.DisplayName}: a board is never sent another family's image; not sent");
            // Every read and write of a job is retried while the database is out of reach: one that escaped would end this task
            // unseen, and the job would stay claimed (its lease renewed) and never end.
            string? fileName = null;
            await Retry(() => fileName = _store!.Read(s => s.Scalar("SELECT file_name FROM images WHERE sha256 = @sha", ("sha", job.ImageSha256))) as string,
                "image name", linked.Token);
            var identity = ImageIdentity.Of(parsed, fileName ?? "image.bin");
            // The board's address as this site sees it now (it may have moved since the job was asked for), at the port its
            // family's receiver listens on (an AmebaD board advertises 5000 and listens on 8082).
            var target = _seen.TryGetValue(job.Target.Name, out var now)
                ? job.Target with { EndPoint = new System.Net.IPEndPoint(now.Address, parsed.Family.Push?.PortFor(now.Port) ?? now.Port) }
                : job.Target;
            // Never an upload that cannot be recorded: the upload row exists before the first byte.
            await Retry(() => uploadId = _queue!.BeginUpload(job, Name, target.EndPoint, identity), "upload", linked.Token);

            // The same sender as fleet upload's, whatever the board's family.
            var updater = new FleetUpdater(job.Options with { Interface = options.Interface, MaxParallel = 1 });
            var throttle = System.Diagnostics.Stopwatch.StartNew();
            FleetBoardState? shown = null;
            updater.BoardChanged += s =>
            {
                if (s.State is FleetBoardState.BoardErasing or FleetBoardState.Sending or FleetBoardState.WaitingForReboot or FleetBoardState.Updated) connected = true;
                if (last is { } l && l.State != s.State) beforeLast = l.State;
                last = s;
                if (s.IsFinal || (s.State == shown && throttle.ElapsedMilliseconds < 1000)) return;
                shown = s.State;
                throttle.Restart();
                _progress[job.Id] = new JobProgress(job, Detail(s.State), s.BytesSent, s.Attempt, s.Error);
            };
            await updater.UpdateAsync([target], image!, linked.Token);
        }
        catch (OperationCanceledException) { }
        catch (InvalidOperationException e) when (uploadId is null)
        {
            Log?.Invoke($"job {job.Id}: {e.Message}");
            _running.TryRemove(job.Id, out _);
            return;
        }
        catch (Exception e) when (e is InvalidDataException or Images.ImageFormatException)
        {
            last = new FleetBoardStatus(job.Target, FleetBoardState.Failed, 0, job.Length, 0, TimeSpan.Zero, $"the agent cannot use the image: {e.Message}");
        }
        catch (HistoryException e)
        {
            // Refused for another reason than a lost connection (a right taken away): the job ends, said why, rather than staying claimed.
            last ??= new FleetBoardStatus(job.Target, FleetBoardState.Failed, 0, job.Length, 0, TimeSpan.Zero, $"the database refused the agent: {e.Message}");
        }

        _progress.TryRemove(job.Id, out _);
        var (state, end) = Outcome(last, beforeLast, running.StopReason, agentStopping.IsCancellationRequested);
        // Cut mid-transfer by the agent that had it, and not listening since: a stock board waits for a reset (not a failure of the image).
        if (state == JobState.Failed && running.WasCut && !connected && end is not null)
            (state, end) = (JobState.NeedsReset, end with { Error = $"{Rollouts.RolloutBoard.NeedsResetReason}: {end.Error}" });
        bool stillOurs = true;
        try
        {
            await Retry(() => stillOurs = _queue!.Finish(job, Name, uploadId, state, end, last?.BytesSent ?? 0, last?.Attempt ?? 0), "finish", CancellationToken.None)
                .WaitAsync(agentStopping.IsCancellationRequested ? TimeSpan.FromSeconds(10) : Timeout.InfiniteTimeSpan);
        }
        catch (TimeoutException)
        {
            Log?.Invoke($"job {job.Id}: could not record its end before stopping; its lease will run out and it will be taken over");
        }
        Log?.Invoke($"job {job.Id}: {job.Target.Name} {state.Name()}{(end?.Error is { } why ? $": {why}" : "")}{(stillOurs ? "" : " (the job had been taken over meanwhile)")}");
        _running.TryRemove(job.Id, out _);
        _wake.Release();
    }

    private static string Detail(FleetBoardState state) => state switch
    {
        FleetBoardState.Connecting => "connecting",
        FleetBoardState.BoardErasing => "board-erasing",
        FleetBoardState.Sending => "sending",
        FleetBoardState.WaitingForReboot => "rebooting",
        FleetBoardState.Retrying => "retrying",
        _ => "claimed",
    };

    private static (JobState, UploadEnd?) Outcome(FleetBoardStatus? s, FleetBoardState? before, string? stopReason, bool agentStopping)
    {
        if (s is null) return (agentStopping ? JobState.Interrupted : JobState.Cancelled, null);
        int attempts = Math.Max(1, s.Attempt);
        return s.State switch
        {
            FleetBoardState.Updated => (JobState.Succeeded, new UploadEnd(s.RebootTime is null ? UploadOutcome.Sent : UploadOutcome.Rebooted, null, 0, attempts, s.RebootTime)),
            _ when stopReason == "cancelled" => (JobState.Cancelled, new UploadEnd(UploadOutcome.Cancelled, "cancelled (a stop or an emergency stop)", 130, attempts)),
            _ when stopReason == "lost" => (JobState.Interrupted, new UploadEnd(UploadOutcome.Interrupted, "interrupted: the job was taken over by another agent", 130, attempts)),
            _ when agentStopping || stopReason is not null =>
                (JobState.Interrupted, new UploadEnd(UploadOutcome.Interrupted, "interrupted: the agent stopped mid-update; the job is handed back", 130, attempts)),
            FleetBoardState.Failed when before == FleetBoardState.WaitingForReboot =>
                (JobState.Failed, new UploadEnd(UploadOutcome.NotBack, s.Error, 7, attempts)),
            _ => (JobState.Failed, new UploadEnd(UploadOutcome.Failed, s.Error, s.BytesSent > 0 ? 5 : 4, attempts)),
        };
    }
}
