using System.Diagnostics;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Protocol;

namespace AmebaOta.Fleet;

/// <summary>
/// Sends one image to many boards: at most <see cref="FleetOptions.MaxParallel"/> uploads at once, each with its own timeouts
/// so a board that fails or hangs never holds up the others, failed uploads retried, and (with
/// <see cref="FleetOptions.WaitReboot"/>) each board confirmed by its mDNS announcement after the reboot. A board waiting for
/// its reboot does not hold an upload slot. No console I/O: every change is reported through <see cref="BoardChanged"/>.
/// Each board is sent the image of its own family (<see cref="FleetImages"/>) through that family's <see cref="PushSender"/>;
/// check the images first (<see cref="PushSender.Prepare"/>), as <c>upload</c> does.
/// </summary>
public sealed class FleetUpdater(FleetOptions? options = null) : IFleetSender
{
    private readonly FleetOptions _options = options ?? new FleetOptions();

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
        if (_options.MaxParallel < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxParallel must be at least 1");
        if (_options.Retries < 0) throw new ArgumentOutOfRangeException(nameof(options), "Retries cannot be negative");
        var clock = Stopwatch.StartNew();
        var results = new FleetBoardStatus[targets.Count];
        for (int i = 0; i < targets.Count; i++)
            Report(results, i, new FleetBoardStatus(targets[i], FleetBoardState.Queued, 0, images.For(targets[i].Family)?.Length ?? 0, 0, TimeSpan.Zero));

        var watcher = _options.WaitReboot is null ? null : new RebootWatcher(_options.Interface);
        try
        {
            using var slots = new SemaphoreSlim(_options.MaxParallel);
            await Task.WhenAll(targets.Select((t, i) => Task.Run(() => RunBoardAsync(results, i, t, images.For(t.Family), slots, watcher, cancellationToken), CancellationToken.None)));
        }
        finally
        {
            if (watcher is not null) await watcher.DisposeAsync();
        }
        return new FleetResult(results, clock.Elapsed);
    }

    private async Task RunBoardAsync(FleetBoardStatus[] results, int index, FleetTarget target, PushImage? image,
        SemaphoreSlim slots, RebootWatcher? watcher, CancellationToken ct)
    {
        var status = results[index];
        if (image is null)
        {
            // The commands refuse such boards before anything is sent; never send a board another family's image.
            Report(results, index, status with { State = FleetBoardState.Failed, Error = $"not sent: this run has no image for its family ({target.Family?.DisplayName ?? "unknown"})" });
            return;
        }
        try
        {
            await slots.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            Report(results, index, status with { State = FleetBoardState.Skipped, Error = "cancelled before it started" });
            return;
        }
        bool holdingSlot = true;
        var clock = Stopwatch.StartNew();
        var upload = new OtaUploadOptions { ConnectTimeout = _options.ConnectTimeout, StallTimeout = _options.StallTimeout, ChunkSize = _options.ChunkSize };
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                status = status with { State = FleetBoardState.Connecting, Attempt = attempt, BytesSent = 0, Elapsed = clock.Elapsed };
                Report(results, index, status);
                using var watch = watcher?.Watch(target.ByName ? target.Name : null, target.EndPoint, anyPort: !image.Sender.ListensOnAdvertisedPort);
                var progress = new SyncProgress(p =>
                {
                    var state = p.Phase == OtaUploadPhase.BoardErasing ? FleetBoardState.BoardErasing : FleetBoardState.Sending;
                    status = status with { State = state, BytesSent = p.Acknowledged, Elapsed = clock.Elapsed };
                    Report(results, index, status);
                });
                OtaUploadResult sent;
                try
                {
                    sent = await image.Sender.SendAsync(target.EndPoint, image, upload, progress, ct);
                }
                catch (OtaUploadException e) when (e.Failure == OtaUploadFailure.Interrupted)
                {
                    Report(results, index, status with { State = FleetBoardState.Cancelled, Error = e.NothingSent ? "cancelled" : $"cancelled: {e.Message}", Elapsed = clock.Elapsed });
                    return;
                }
                catch (OtaUploadException e)
                {
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
                slots.Release();
                holdingSlot = false;
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
            if (holdingSlot) slots.Release();
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
