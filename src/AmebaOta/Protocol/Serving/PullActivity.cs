using System.Collections.Concurrent;

namespace AmebaOta.Protocol.Serving;

/// <summary>
/// The transfers a pull server has under way, for its request log and live views: <see cref="Started"/> when a response
/// starts, <see cref="Ended"/> once when it ends, and the ones still running. Fed by the server (<see cref="Track"/>,
/// which fits a raw connection's <c>Started</c> callback); read from any thread.
/// </summary>
public sealed class PullActivity
{
    private readonly ConcurrentDictionary<PullTransfer, byte> _running = new();

    /// <summary>A response started (raised on the thread that serves it).</summary>
    public event Action<PullTransfer>? Started;

    /// <summary>A response ended, however it ended (raised once per transfer, on the thread that ended it).</summary>
    public event Action<PullTransfer>? Ended;

    /// <summary>The transfers still running, oldest first.</summary>
    public IReadOnlyList<PullTransfer> Running => _running.Keys.OrderBy(t => t.StartedAt).ToList();

    /// <summary>Follows <paramref name="transfer"/> from now until it ends.</summary>
    public void Track(PullTransfer transfer)
    {
        _running[transfer] = 0;
        Started?.Invoke(transfer);
        transfer.Ended += OnEnded;
        if (transfer.Outcome != PullTransferOutcome.Running) OnEnded(transfer);
    }

    private void OnEnded(PullTransfer transfer)
    {
        if (_running.TryRemove(transfer, out _)) Ended?.Invoke(transfer);
    }
}
