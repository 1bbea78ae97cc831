namespace AmebaOta.Fleet;

/// <summary>
/// Sends one image to many boards and reports every change: <see cref="FleetUpdater"/> does it from this process (and
/// <see cref="Protocol.OtaUi.Updates.OtaUiFleetSender"/> for boards that pull their image); a
/// <see cref="Sites.SiteFleetSender"/> has the boards' site agents do it. A rollout runs its stages through either.
/// </summary>
public interface IFleetSender
{
    /// <summary>Who decides when each board starts in this process; its <see cref="Airtime.AirtimeScheduler.Snapshot"/> is the budget in use (null: none here, as for site agents).</summary>
    Airtime.AirtimeScheduler? Airtime => null;

    /// <summary>A board's state changed, or it made progress. Raised from worker threads.</summary>
    event Action<FleetBoardStatus>? BoardChanged;

    /// <summary>Updates every board in <paramref name="targets"/> and returns how each one ended; cancelling stops it (uploads under way are cut).</summary>
    Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default);

    /// <summary>The same with an image per family: each board is sent the image of its own family.</summary>
    Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, FleetImages images, CancellationToken cancellationToken = default);
}
