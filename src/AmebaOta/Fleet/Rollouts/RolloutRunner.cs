using System.Diagnostics;
using AmebaOta.Fleet.Airtime;

namespace AmebaOta.Fleet.Rollouts;

/// <summary>
/// Runs a rollout: its stages one after the other, each with a <see cref="FleetUpdater"/>; a stage starts only when the one
/// before it has finished within the failure threshold. More failures than <see cref="RolloutSettings.MaxFailures"/> is an
/// emergency stop: uploads in progress are cut (a cut upload is reset, so the board keeps its old image), nothing more is
/// sent, the boards not done are aborted. Ctrl+C (the cancellation token) or a stop request through the journal stops it the
/// same way but leaves it resumable. Boards already done (a resumed rollout, <c>already-installed</c>) are never sent to.
/// A board the rollout itself cut mid-transfer (<see cref="RolloutBoard.WasCut"/>: its process died, or it was stopped)
/// is retried; if it does not even accept the connection it <see cref="RolloutBoardState.NeedsReset"/>, which is not
/// counted against <see cref="RolloutSettings.MaxFailures"/>, and the rollout goes on. The same holds for a board the sender
/// reports as <see cref="FleetBoardStatus.NeedsReset"/> (a site agent that took over the job of one killed mid-transfer).
/// No console I/O: every change is reported through <see cref="BoardChanged"/> and <see cref="StageChanged"/>.
/// </summary>
public sealed class RolloutRunner(RolloutPlan plan, RolloutSettings settings, IRolloutJournal? journal = null)
{
    private readonly RolloutBoard[] _boards = [.. plan.Boards];
    private readonly bool[] _cut = [.. plan.Boards.Select(b => b.WasCut)];
    private readonly Lock _lock = new();

    /// <summary>
    /// Who decides when each board starts, shared by every stage sent from this process; its <see cref="AirtimeScheduler.Snapshot"/>
    /// is the budget in use. (Boards sent through site agents are scheduled by each agent's own budget.)
    /// </summary>
    public AirtimeScheduler Airtime { get; } = new(FleetUpdater.BudgetOf(settings.Fleet));

    /// <summary>
    /// What sends each stage, given the run's options and <see cref="Airtime"/>: null (the default), a <see cref="FleetUpdater"/>
    /// in this process sharing <see cref="Airtime"/>; an OTA UI sender sharing it too; or the boards' site agents.
    /// </summary>
    public Func<FleetOptions, AirtimeScheduler, IFleetSender>? Sender { get; init; }

    /// <summary>How often the journal's heartbeat runs (and a stop request is noticed).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A board's state changed, or it made progress. Raised from worker threads; handlers must be quick and thread-safe.</summary>
    public event Action<RolloutBoardStatus>? BoardChanged;

    /// <summary>Every event of the fleet updaters underneath (for recording uploads in the history).</summary>
    public event Action<FleetBoardStatus>? FleetBoardChanged;

    /// <summary>A stage pauses, starts or finishes.</summary>
    public event Action<RolloutStageEvent>? StageChanged;

    /// <summary>Runs every stage that has boards left to do, with one image (its bytes sent as they are).</summary>
    public Task<RolloutResult> RunAsync(ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default) =>
        RunAsync(FleetImages.Of(Families.PushImage.AsIs(Families.BoardFamilies.ParseImage(image.ToArray()))), cancellationToken);

    /// <summary>Runs every stage that has boards left to do, each board sent the image of its family.</summary>
    public async Task<RolloutResult> RunAsync(FleetImages image, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        int total = _boards.Length;
        int failures = _boards.Count(b => b.State == RolloutBoardState.Failure);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = new Heartbeat(journal, HeartbeatInterval, stop);
        try
        {
            return await RunStagesAsync(image, total, failures, stop, cancellationToken, clock);
        }
        finally
        {
            await heartbeat.DisposeAsync();
        }
    }

    private async Task<RolloutResult> RunStagesAsync(FleetImages image, int total, int failures, CancellationTokenSource stop,
        CancellationToken cancellationToken, Stopwatch clock)
    {
        bool ranAStage = false;
        string? emergency = null;

        for (int stage = 1; stage <= plan.StageCount && emergency is null && !stop.IsCancellationRequested; stage++)
        {
            var todo = Enumerable.Range(0, total).Where(i => _boards[i].Stage == stage && !_boards[i].State.IsDone()).ToList();
            if (todo.Count == 0) continue;
            if (ranAStage && settings.PauseBetween > TimeSpan.Zero)
            {
                StageChanged?.Invoke(new RolloutStageEvent(RolloutStageEventKind.Pausing, stage, todo.Count));
                try { await Task.Delay(settings.PauseBetween, stop.Token); }
                catch (OperationCanceledException) { break; }
            }
            ranAStage = true;
            foreach (int i in todo) Set(i, _boards[i] with { State = RolloutBoardState.Pending, Error = null }, null);
            StageChanged?.Invoke(new RolloutStageEvent(RolloutStageEventKind.Started, stage, todo.Count));

            using var stageStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var index = todo.ToDictionary(i => _boards[i].Target);
            var lastFleet = new FleetBoardState[total];
            var updater = Sender?.Invoke(settings.Fleet, Airtime) ?? new FleetUpdater(settings.Fleet, Airtime);
            updater.BoardChanged += s =>
            {
                FleetBoardChanged?.Invoke(s);
                int i = index[s.Target];
                var state = Map(s, stageStop.IsCancellationRequested);
                string? error = state is RolloutBoardState.Failure or RolloutBoardState.Aborted ? s.Error : null;
                lock (_lock)
                {
                    // Cut by us before (or, says the sender, by a sender of ours that died), and now not even accepting the
                    // connection: waiting for a reset, not a bad image.
                    if (state == RolloutBoardState.Failure && (s.NeedsReset || _cut[i] && lastFleet[i] == FleetBoardState.Connecting))
                    {
                        state = RolloutBoardState.NeedsReset;
                        error = s.Error?.StartsWith(RolloutBoard.NeedsResetReason, StringComparison.Ordinal) == true ? s.Error : $"{RolloutBoard.NeedsResetReason}: {s.Error}";
                    }
                    // Stuck since an earlier failure and so never triggered (an OTA UI board): waiting for a reset too.
                    else if (state == RolloutBoardState.Failure && s.NeedsReset)
                    {
                        state = RolloutBoardState.NeedsReset;
                    }
                    // Cut now, mid-transfer: a resume knows it was us.
                    if (state == RolloutBoardState.Aborted && s.State == FleetBoardState.Cancelled && s.Error != "cancelled") error = RolloutBoard.CutMark + s.Error;
                    lastFleet[i] = s.State;
                    if (state == RolloutBoardState.Failure && _boards[i].State != RolloutBoardState.Failure)
                    {
                        failures++;
                        if (settings.MaxFailures.IsExceeded(failures, total) && emergency is null)
                        {
                            emergency = $"{failures} board{(failures == 1 ? "" : "s")} failed, more than --max-failures {settings.MaxFailures} allows";
                            stageStop.Cancel();
                        }
                    }
                }
                Set(i, _boards[i] with { State = state, Error = error }, s);
            };
            await updater.UpdateAsync([.. todo.Select(i => _boards[i].Target)], image, stageStop.Token);
            if (emergency is null && !stop.IsCancellationRequested)
                StageChanged?.Invoke(new RolloutStageEvent(RolloutStageEventKind.Finished, stage, todo.Count));
        }

        RolloutEnd end;
        string? reason;
        if (emergency is not null) { end = RolloutEnd.EmergencyStopped; reason = emergency; }
        else if (stop.IsCancellationRequested) { end = RolloutEnd.Stopped; reason = cancellationToken.IsCancellationRequested ? "interrupted" : "stopped on request (--stop)"; }
        else { end = RolloutEnd.Completed; reason = null; }
        if (end != RolloutEnd.Completed)
        {
            for (int i = 0; i < total; i++)
                if (_boards[i].State is RolloutBoardState.Pending or RolloutBoardState.Uploading or RolloutBoardState.Rebooting)
                    Set(i, _boards[i] with { State = RolloutBoardState.Aborted, Error = (_boards[i].State == RolloutBoardState.Uploading ? RolloutBoard.CutMark : "") + reason }, null);
        }
        journal?.Ended(end, reason);
        return new RolloutResult([.. _boards], end, reason, clock.Elapsed);
    }

    private static RolloutBoardState Map(FleetBoardStatus s, bool stopping) => s.State switch
    {
        FleetBoardState.Queued => RolloutBoardState.Pending,
        FleetBoardState.Connecting or FleetBoardState.BoardErasing or FleetBoardState.Sending or FleetBoardState.Retrying => RolloutBoardState.Uploading,
        FleetBoardState.WaitingForReboot => RolloutBoardState.Rebooting,
        FleetBoardState.Updated => RolloutBoardState.Success,
        FleetBoardState.Failed when !stopping || s.Decided => RolloutBoardState.Failure,
        _ => RolloutBoardState.Aborted,
    };

    private void Set(int i, RolloutBoard board, FleetBoardStatus? fleet)
    {
        bool changed;
        lock (_lock)
        {
            changed = _boards[i].State != board.State;
            _boards[i] = board;
        }
        if (changed) journal?.Board(board);
        BoardChanged?.Invoke(new RolloutBoardStatus(board, fleet));
    }

    /// <summary>Beats the journal's heart every interval until disposed, and stops the run when a stop was requested.</summary>
    private sealed class Heartbeat : IAsyncDisposable
    {
        private readonly CancellationTokenSource _end = new();
        private readonly Task _loop;

        public Heartbeat(IRolloutJournal? journal, TimeSpan interval, CancellationTokenSource stop)
        {
            _loop = journal is null ? Task.CompletedTask : Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(interval);
                do
                {
                    if (journal.Heartbeat()) stop.Cancel();
                }
                while (await timer.WaitForNextTickAsync(_end.Token).AsTask().ContinueWith(t => t.Status == TaskStatus.RanToCompletion && t.Result));
            });
        }

        public async ValueTask DisposeAsync()
        {
            _end.Cancel();
            await _loop;
            _end.Dispose();
        }
    }
}
