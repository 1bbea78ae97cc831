using System.Diagnostics;
using AmebaOta.Fleet.History;

namespace AmebaOta.Fleet.Sites;

/// <summary>
/// Sends one image to boards at any number of sites by asking each board's site agent (one job per board, see
/// <see cref="JobQueue"/>), and follows the jobs as the agents record them (<c>LISTEN</c>, and a look every second), reporting
/// them as a <see cref="FleetUpdater"/> would: so a rollout's stages, failure threshold, emergency stop and resume work the
/// same across sites. Cancelling cancels the open jobs (the agents cut those transfers: the boards keep their old image).
/// The agents record the uploads; this records nothing itself. Losing the database is reported through <see cref="Notice"/>
/// and ridden out: the jobs go on at the sites, and are followed again once it is back.
/// </summary>
/// <param name="queue">The queue (PostgreSQL).</param>
/// <param name="boards">Each board's site and family, by name.</param>
/// <param name="options">Per board: timeouts, retries, reboot wait (the agent's own interface is used).</param>
/// <param name="image">The image as recorded.</param>
/// <param name="command">The command recorded for the uploads (<c>fleet rollout</c>, <c>dashboard</c>).</param>
/// <param name="rolloutId">The rollout the jobs belong to.</param>
public sealed class SiteFleetSender(JobQueue queue, IReadOnlyDictionary<string, (string Site, string Family)> boards, FleetOptions options, ImageIdentity image,
    string command, long? rolloutId = null) : IFleetSender
{
    /// <inheritdoc />
    public event Action<FleetBoardStatus>? BoardChanged;

    /// <summary>The database was lost, or is back (one line each).</summary>
    public event Action<string>? Notice;

    /// <summary>After a cancel, how long to wait for the agents to say their transfers are cut.</summary>
    public TimeSpan CancelGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The batch of the last update.</summary>
    public string? Batch { get; private set; }

    /// <summary>One image only: a rollout across sites sends one family's image (the jobs carry one image each, the agents send it).</summary>
    public Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, FleetImages images, CancellationToken cancellationToken = default) =>
        images.All.Count == 1 ? UpdateAsync(targets, images.All[0].Bytes, cancellationToken)
            : throw new ArgumentException("the sites' agents send one image per rollout", nameof(images));

    /// <inheritdoc />
    public async Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, ReadOnlyMemory<byte> image1, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var batch = JobQueue.NewBatch();
        Batch = batch;
        var latest = targets.ToDictionary(t => t.Name, t => new FleetBoardStatus(t, FleetBoardState.Queued, 0, image1.Length, 0, TimeSpan.Zero), StringComparer.OrdinalIgnoreCase);
        foreach (var s in latest.Values) BoardChanged?.Invoke(s);
        var requests = targets.Select(t => boards.TryGetValue(t.Name, out var b)
            ? new JobRequest(b.Site, t, b.Family)
            : throw new ArgumentException($"{t.Name} is at no known site", nameof(targets))).ToList();
        // A board is never sent another family's image: those are not asked for at all.
        var imageFamily = Families.BoardFamilies.Identify(image1.Span);
        foreach (var r in requests.Where(r => Families.BoardFamilies.Find(r.Family) is { } f && f != imageFamily).ToList())
        {
            requests.Remove(r);
            var f = Families.BoardFamilies.Find(r.Family)!;
            latest[r.Target.Name] = latest[r.Target.Name] with
            {
                State = FleetBoardState.Failed, Error = $"{r.Target.Name}'s family is {f.DisplayName} and the image is for {imageFamily.DisplayName}: a board is never sent another family's image; not sent",
            };
            BoardChanged?.Invoke(latest[r.Target.Name]);
        }
        if (requests.Count == 0) return new FleetResult([.. targets.Select(t => latest[t.Name])], clock.Elapsed);
        await Retry(() => queue.Enqueue(requests, image, image1, options, command, batch, rolloutId), CancellationToken.None);

        using var wake = new SemaphoreSlim(0);
        using var listening = new CancellationTokenSource();
        var listener = Task.Run(() => ListenAsync(batch, wake, listening.Token), CancellationToken.None);
        bool cancelled = false;
        Stopwatch? sinceCancel = null;
        try
        {
            while (true)
            {
                if (cancellationToken.IsCancellationRequested && !cancelled)
                {
                    cancelled = true;
                    sinceCancel = Stopwatch.StartNew();
                    await Retry(() => queue.Cancel(batch, "stopped"), CancellationToken.None, TimeSpan.FromSeconds(30));
                }
                IReadOnlyList<SiteJob>? jobs = null;
                try
                {
                    jobs = queue.Batch(batch);
                    Back();
                }
                catch (HistoryException e)
                {
                    Lost(e);
                }
                if (jobs is not null)
                {
                    foreach (var job in jobs)
                    {
                        var status = Status(job, latest[job.Target.Name], clock.Elapsed);
                        if (status.State == latest[job.Target.Name].State && status.BytesSent == latest[job.Target.Name].BytesSent && status.Error == latest[job.Target.Name].Error) continue;
                        latest[job.Target.Name] = status;
                        BoardChanged?.Invoke(status);
                    }
                    if (latest.Values.All(s => s.IsFinal)) break;
                }
                if (sinceCancel is { } c && c.Elapsed > CancelGrace)
                {
                    foreach (var name in latest.Keys.ToList().Where(n => !latest[n].IsFinal))
                    {
                        latest[name] = latest[name] with { State = FleetBoardState.Failed, Error = "cancelled (its agent did not confirm in time)", Elapsed = clock.Elapsed };
                        BoardChanged?.Invoke(latest[name]);
                    }
                    break;
                }
                await wake.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
                while (wake.CurrentCount > 0) wake.Wait(0);
            }
        }
        finally
        {
            listening.Cancel();
            await listener.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return new FleetResult([.. targets.Select(t => latest[t.Name])], clock.Elapsed);
    }

    private int _lost;

    private void Lost(HistoryException e)
    {
        if (Interlocked.Exchange(ref _lost, 1) == 0) Notice?.Invoke($"lost the database ({e.Message}); the sites' agents go on; reconnecting");
    }

    private void Back()
    {
        if (Interlocked.Exchange(ref _lost, 0) == 1) Notice?.Invoke("reconnected to the database");
    }

    private async Task Retry(Action write, CancellationToken ct, TimeSpan? giveUp = null)
    {
        var wait = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                write();
                Back();
                return;
            }
            catch (HistoryException e) when (BestEffortHistory.IsTransient(e))
            {
                Lost(e);
                if (giveUp is { } limit && clock.Elapsed > limit) throw;
                await Task.Delay(wait, ct);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private Task ListenAsync(string batch, SemaphoreSlim wake, CancellationToken ct) =>
        JobNotifications.ListenAsync(queue.Store, JobQueue.EventChannel, payload => payload == batch, () => wake.Release(), TimeSpan.FromSeconds(1), ct);

    private static FleetBoardStatus Status(SiteJob job, FleetBoardStatus before, TimeSpan elapsed)
    {
        var s = before with { Elapsed = elapsed, Attempt = Math.Max(job.Attempt, before.Attempt), BytesSent = job.BytesSent, Error = job.Error };
        return job.Seen switch
        {
            JobState.Queued => s with { State = FleetBoardState.Queued, Error = null },
            JobState.Running => s with
            {
                State = job.Detail switch
                {
                    "board-erasing" => FleetBoardState.BoardErasing,
                    "sending" => FleetBoardState.Sending,
                    "rebooting" => FleetBoardState.WaitingForReboot,
                    "retrying" => FleetBoardState.Retrying,
                    _ => FleetBoardState.Connecting,
                },
            },
            JobState.Interrupted => s with
            {
                State = FleetBoardState.Retrying,
                Error = $"interrupted: the agent of site {job.Site} stopped mid-update; waiting for an agent there to take it over",
            },
            JobState.Succeeded => s with { State = FleetBoardState.Updated, BytesSent = job.Length, Error = null, RebootTime = job.RebootMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null },
            JobState.Cancelled => s with { State = FleetBoardState.Failed, Error = job.Error ?? "cancelled" },
            JobState.NeedsReset => s with { State = FleetBoardState.Failed, Error = job.Error, NeedsReset = true },
            _ => s with { State = FleetBoardState.Failed, Error = job.Error ?? "failed" },
        };
    }
}
