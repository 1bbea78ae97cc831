namespace AmebaOta.Fleet;

/// <summary>
/// Sends one image to many boards and reports every change: <see cref="FleetUpdater"/> does it from this process; a
/// <see cref="Sites.SiteFleetSender"/> has the boards' site agents do it. A rollout runs its stages through either.
/// </summary>
public interface IFleetSender
{
    /// <summary>A board's state changed, or it made progress. Raised from worker threads.</summary>
    event Action<FleetBoardStatus>? BoardChanged;

    /// <summary>Updates every board in <paramref name="targets"/> and returns how each one ended; cancelling stops it (uploads under way are cut).</summary>
    Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default);

    /// <summary>The same with an image per family: each board is sent the image of its own family.</summary>
    Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, FleetImages images, CancellationToken cancellationToken = default);
}
