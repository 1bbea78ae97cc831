using System.Diagnostics;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Protocol;

namespace AmebaOta.Fleet;

/// <summary>
/// Sends one image to many boards: each board starts when the airtime budget has room for it (<see cref="AirtimeScheduler"/>:
/// boards erasing or rebooting cost nothing, boards taking bytes share <see cref="FleetOptions.MaxBytesPerSecond"/>), at most
/// <see cref="FleetOptions.MaxParallel"/> at once when that is set; each with its own timeouts so a board that fails or hangs
/// never holds up the others, failed uploads retried, and (with <see cref="FleetOptions.WaitReboot"/>) each board confirmed by
/// its mDNS announcement after the reboot. A board waiting for its reboot or for a retry holds no turn. Only the boards
/// under way have a task, so the host's memory does not grow with the number of boards. No console I/O: every change is
/// reported through <see cref="BoardChanged"/>, the budget in use through <see cref="Airtime"/>.
/// Each board is sent the image of its own family (<see cref="FleetImages"/>) through that family's <see cref="PushSender"/>;
/// check the images first (<see cref="PushSender.Prepare"/>), as <c>upload</c> does.
/// </summary>
public sealed class FleetUpdater : IFleetSender
{
    private readonly FleetOptions _options;

    /// <param name="options">How the run goes (defaults: <see cref="FleetOptions"/>).</param>
    /// <param name="airtime">A scheduler shared with other runs (a rollout's stages share one); null: one from <paramref name="options"/>.</param>
    public FleetUpdater(FleetOptions? options = null, AirtimeScheduler? airtime = null)
    {
        _options = options ?? new FleetOptions();
        if (_options.MaxParallel < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxParallel must be at least 1");
        if (_options.Retries < 0) throw new ArgumentOutOfRangeException(nameof(options), "Retries cannot be negative");
        Airtime = airtime ?? new AirtimeScheduler(BudgetOf(_options));
    }

    /// <summary>The airtime budget <paramref name="options"/> ask for.</summary>
    public static AirtimeBudget BudgetOf(FleetOptions options) => new() { MaxBytesPerSecond = options.MaxBytesPerSecond, MaxConcurrent = options.MaxParallel };

    /// <summary>Who decides when each board starts; its <see cref="AirtimeScheduler.Snapshot"/> is the budget in use.</summary>
    public AirtimeScheduler Airtime { get; }

    /// <summary>
    /// Raised on every change of a board's state and after each chunk sent. Raised from worker threads, possibly for
    /// several boards at once; handlers must be quick and thread-safe.
    /// </summary>
    public event Action<FleetBoardStatus>? BoardChanged;

    /// <summary>Updates every board in <paramref name="targets"/> with <paramref name="image"/> (bytes sent as they are, with their family's sender).</summary>
    /// <exception cref="Discovery.MdnsException">With <see cref="FleetOptions.WaitReboot"/>: the mDNS socket cannot be opened.</exception>
    public Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default) =>
        UpdateAsync(targets, FleetImages.Of(PushImage.AsIs(BoardFamilies.ParseImage(image.ToArray()))), cancellationToken);

    /// <summary>Updates every board in <paramref name="targets"/> with the image of its family and returns how each one ended.</summary>
    /// <exception cref="Discovery.MdnsException">With <see cref="FleetOptions.WaitReboot"/>: the mDNS socket cannot be opened.</exception>
    public async Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, FleetImages images, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var results = new FleetBoardStatus[targets.Count];
        for (int i = 0; i < targets.Count; i++)
            Report(results, i, new FleetBoardStatus(targets[i], FleetBoardState.Queued, 0, images.For(targets[i].Family)?.Length ?? 0, 0, TimeSpan.Zero));

        var watcher = _options.WaitReboot is null ? null : new RebootWatcher(_options.Interface);
        try
        {
            await FleetTurns.RunAsync(Airtime, targets.Count, index =>
                {
                    if (images.For(targets[index].Family) is { } image) return image.Length;
                    // The commands refuse such boards before anything is sent; never send a board another family's image.
                    Report(results, index, results[index] with { State = FleetBoardState.Failed, Error = $"not sent: this run has no image for its family ({targets[index].Family?.DisplayName ?? "unknown"})" });
                    return null;
                },
                (index, turn) => RunBoardAsync(results, index, targets[index], images.For(targets[index].Family)!, turn, watcher, cancellationToken),
                index => Report(results, index, results[index] with { State = FleetBoardState.Skipped, Error = "cancelled before it started" }),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (watcher is not null) await watcher.DisposeAsync();
        }
        return new FleetResult(results, clock.Elapsed);
    }

    private async Task RunBoardAsync(FleetBoardStatus[] results, int index, FleetTarget target, PushImage image,
        AirtimeTicket firstTurn, RebootWatcher? watcher, CancellationToken ct)
    {
        var status = results[index];
        AirtimeTicket? turn = firstTurn;
        var clock = Stopwatch.StartNew();
        var upload = new OtaUploadOptions { ConnectTimeout = _options.ConnectTimeout, StallTimeout = _options.StallTimeout, ChunkSize = _options.ChunkSize };
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                turn ??= await Airtime.WaitTurnAsync(image.Length, retry: true, ct).ConfigureAwait(false);
                var current = turn;
                status = status with { State = FleetBoardState.Connecting, Attempt = attempt, BytesSent = 0, Elapsed = clock.Elapsed };
                Report(results, index, status);
                using var watch = watcher?.Watch(target.ByName ? target.Name : null, target.EndPoint, anyPort: !image.Sender.ListensOnAdvertisedPort);
                var progress = new SyncProgress(p =>
                {
                    current.Report(p.Phase, p.Acknowledged);
                    var state = p.Phase == OtaUploadPhase.BoardErasing ? FleetBoardState.BoardErasing : FleetBoardState.Sending;
                    status = status with { State = state, BytesSent = p.Acknowledged, Elapsed = clock.Elapsed };
                    Report(results, index, status);
                });
                OtaUploadResult sent;
                try
                {
                    sent = await image.Sender.SendAsync(target.EndPoint, image, upload with { Throttle = current }, progress, ct);
                }
                catch (OtaUploadException e) when (e.Failure == OtaUploadFailure.Interrupted)
                {
                    Report(results, index, status with { State = FleetBoardState.Cancelled, Error = e.NothingSent ? "cancelled" : $"cancelled: {e.Message}", Elapsed = clock.Elapsed });
                    return;
                }
                catch (OtaUploadException e)
                {
                    turn.Dispose();
                    turn = null;
                    if (attempt > _options.Retries || e.Failure == OtaUploadFailure.NotAReceiver)
                    {
                        Report(results, index, status with { State = FleetBoardState.Failed, Error = image.Sender.Explain(e), Elapsed = clock.Elapsed });
                        return;
                    }
                    status = status with { State = FleetBoardState.Retrying, Error = image.Sender.Explain(e), Elapsed = clock.Elapsed };
                    Report(results, index, status);
                    var pause = e.NothingSent || _options.RetryDelay >= _options.ReceiverRestartDelay ? _options.RetryDelay : _options.ReceiverRestartDelay;
                    await Task.Delay(pause, ct);
                    continue;
                }
                watch?.UploadFinished();
                turn.Dispose();
                turn = null;
                if (watch is null)
                {
                    Report(results, index, status with { State = FleetBoardState.Updated, BytesSent = image.Length, Error = null, Elapsed = clock.Elapsed });
                    return;
                }
                status = status with { State = FleetBoardState.WaitingForReboot, BytesSent = image.Length, Error = null, Elapsed = clock.Elapsed };
                Report(results, index, status);
                var reboot = await watch.WaitAsync(_options.WaitReboot!.Value, ct);
                Report(results, index, reboot.Rebooted
                    ? status with { State = FleetBoardState.Updated, RebootTime = reboot.Elapsed, Elapsed = clock.Elapsed }
                    : status with
                    {
                        State = FleetBoardState.Failed, Elapsed = clock.Elapsed,
                        Error = reboot.WentDownDuringUpload
                            ? "the board went down before it had acknowledged the last byte (a power cut or a reset) and did not come back after the upload"
                            : $"the board acknowledged every byte, but it did not announce itself again within {OtaUploadBudget.Seconds(_options.WaitReboot.Value)} " +
                              $"(no reboot seen): {image.Sender.NotBack(sent)}",
                    });
                return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Report(results, index, status with { State = FleetBoardState.Cancelled, Error = "cancelled", Elapsed = clock.Elapsed });
        }
        finally
        {
            turn?.Dispose();
        }
    }

    private void Report(FleetBoardStatus[] results, int index, FleetBoardStatus status)
    {
        Volatile.Write(ref results[index], status);
        BoardChanged?.Invoke(status);
    }

    /// <summary>Reports on the sending thread (<see cref="Progress{T}"/> would post to a synchronization context).</summary>
    private sealed class SyncProgress(Action<OtaUploadProgress> report) : IProgress<OtaUploadProgress>
    {
        public void Report(OtaUploadProgress value) => report(value);
    }
}
