using AmebaOta.Cli.Output;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;

namespace AmebaOta.Cli.Dashboard.Runs;

/// <summary>
/// A plain update from the page: what <c>fleet upload</c> does (<see cref="FleetUpdater"/>), every board at once within the
/// parallelism bound; or, for boards at sites, the same through their agents (<paramref name="sender"/>: they record the uploads);
/// or OTA UI boards triggered by this dashboard's server (<paramref name="sender"/>, and <paramref name="recordHere"/>: the dashboard records them).
/// </summary>
internal sealed class PlainUpdateRun(long id, ShelvedImage image, IReadOnlyList<FleetTarget> targets, FleetOptions options, DashboardState state,
    DashboardHistory history, Func<FleetOptions, long?, AirtimeScheduler?, IFleetSender>? sender = null, bool recordHere = false) : RunTracker(id, "update", image, targets, options.WaitReboot is not null, state)
{
    protected override async Task<(string State, string Reason)> ExecuteAsync(CancellationToken stop)
    {
        IFleetSender updater = sender?.Invoke(options, null, null) ?? new FleetUpdater(options);
        Airtime = updater.Airtime;
        if ((sender is null || recordHere) && history.Recorder(Image, stop) is { } record) updater.BoardChanged += record;
        updater.BoardChanged += s => Board(s.Target.Name, Json(Id, s), s.IsFinal,
            s.State switch { FleetBoardState.Updated => true, FleetBoardState.Failed => false, _ => null });
        var result = await updater.UpdateAsync(Targets, Image.Fleet, stop);
        if (stop.IsCancellationRequested) return ("stopped", "stopped from the page");
        return ("completed", result.AllUpdated ? "" : $"{result.Updated} of {result.Boards.Count} boards updated, {result.Failed} failed");
    }

    public static BoardUpdateJson Json(long run, FleetBoardStatus s, int? stage = null, string? rolloutState = null) => new(
        run, rolloutState ?? FleetText.StateName(s.State), rolloutState is null ? null : FleetText.StateName(s.State), s.BytesSent, s.Length, s.Attempt,
        s.Error, stage, s.IsFinal, Math.Round(s.Elapsed.TotalMilliseconds, 1), s.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null);
}
