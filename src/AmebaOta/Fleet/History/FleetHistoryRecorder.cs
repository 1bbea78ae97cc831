using System.Collections.Concurrent;

namespace AmebaOta.Fleet.History;

/// <summary>
/// Records a <see cref="FleetUpdater"/> run in the history: an upload row when a board's first attempt starts, its end when the
/// board reaches a final state. Only changes of state are written, never progress. Subscribe <see cref="OnBoardChanged"/> to
/// <see cref="FleetUpdater.BoardChanged"/>.
/// </summary>
/// <param name="history">Where to record (may be disabled).</param>
/// <param name="images">The images the run sends, one per family (a board of unknown family takes the first).</param>
/// <param name="command">The command, as recorded (<c>fleet upload</c>, <c>fleet rollout</c>).</param>
/// <param name="stopping">The run's cancellation: a board cut short once it is cancelled is recorded as cancelled, not failed.</param>
/// <param name="rolloutId">The rollout the uploads belong to.</param>
public sealed class FleetHistoryRecorder(BestEffortHistory history, IReadOnlyList<ImageIdentity> images, string command, CancellationToken stopping, long? rolloutId = null)
{
    /// <summary>A run of one image.</summary>
    public FleetHistoryRecorder(BestEffortHistory history, ImageIdentity image, string command, CancellationToken stopping, long? rolloutId = null)
        : this(history, [image], command, stopping, rolloutId) { }

    private readonly ConcurrentDictionary<FleetTarget, Entry> _boards = new();

    private sealed class Entry
    {
        public long? Id;
        public FleetBoardState LastState = FleetBoardState.Queued;
    }

    /// <summary>The handler for <see cref="FleetUpdater.BoardChanged"/>.</summary>
    public void OnBoardChanged(FleetBoardStatus status)
    {
        var entry = _boards.GetOrAdd(status.Target, _ => new Entry());
        lock (entry)
        {
            var previous = entry.LastState;
            if (status.State == previous) return;
            entry.LastState = status.State;
            if (status.State == FleetBoardState.Connecting && entry.Id is null)
            {
                var target = status.Target;
                var image = target.Family is { } family ? images.FirstOrDefault(i => i.Family == family.Id) ?? images[0] : images[0];
                entry.Id = history.Try<long?>(s => s.BeginUpload(new UploadStart(target.ByName ? target.Name : null, target.EndPoint, target.ByName, image, command, rolloutId)), null);
                return;
            }
            if (!status.IsFinal || entry.Id is not { } id) return;
            var end = End(status, previous);
            history.Try(s => s.FinishUpload(id, end));
        }
    }

    private UploadEnd End(FleetBoardStatus s, FleetBoardState previous) => s.State switch
    {
        FleetBoardState.Updated => new UploadEnd(s.RebootTime is null ? UploadOutcome.Sent : UploadOutcome.Rebooted, null, 0, s.Attempt, s.RebootTime),
        _ when stopping.IsCancellationRequested => new UploadEnd(UploadOutcome.Cancelled, s.Error ?? "cancelled", 130, Math.Max(1, s.Attempt)),
        FleetBoardState.Failed when previous == FleetBoardState.WaitingForReboot => new UploadEnd(UploadOutcome.NotBack, s.Error, 7, s.Attempt),
        // upload's exit codes: 4 when the last attempt could not connect, 5 when it dropped or stalled mid-transfer.
        FleetBoardState.Failed => new UploadEnd(UploadOutcome.Failed, s.Error, previous == FleetBoardState.Connecting ? 4 : 5, s.Attempt),
        _ => new UploadEnd(UploadOutcome.Cancelled, s.Error ?? "not attempted", 130, Math.Max(1, s.Attempt)),
    };
}
