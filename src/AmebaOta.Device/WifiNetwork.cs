namespace AmebaOta.Device;

/// <summary>
/// The access point a virtual board joins, up or down at will (<c>wifi down</c> / <c>wifi up</c>, <c>--wifi-flaky</c>).
/// It belongs to the board's surroundings, not to the board: it stays as it is across resets and power cuts.
/// Thread-safe.
/// </summary>
public sealed class WifiNetwork
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _upPeriod;
    private TaskCompletionSource _cameUp = NewSignal();

    public WifiNetwork(bool up = true)
    {
        if (up) _upPeriod = new CancellationTokenSource();
    }

    public bool IsUp
    {
        get { lock (_gate) return _upPeriod is not null; }
    }

    /// <summary>Raised after each change, with the new state (true: up).</summary>
    public event Action<bool>? Changed;

    /// <summary>Brings the access point up or down. Returns false when it already was.</summary>
    public bool SetUp(bool up)
    {
        CancellationTokenSource? ended = null;
        TaskCompletionSource? cameUp = null;
        lock (_gate)
        {
            if (up == (_upPeriod is not null)) return false;
            if (up)
            {
                _upPeriod = new CancellationTokenSource();
                cameUp = _cameUp;
                _cameUp = NewSignal();
            }
            else
            {
                ended = _upPeriod;
                _upPeriod = null;
            }
        }
        ended?.Cancel();
        cameUp?.TrySetResult();
        Changed?.Invoke(up);
        return true;
    }

    /// <summary>Waits until the access point is up; returns a token cancelled when it next goes down.</summary>
    public async ValueTask<CancellationToken> WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task cameUp;
            lock (_gate)
            {
                if (_upPeriod is { } period) return period.Token;
                cameUp = _cameUp.Task;
            }
            await cameUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
