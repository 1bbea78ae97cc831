namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// A version number that goes up with every change, and a wait for the next one: each event stream remembers the version
/// it has sent and asks for what changed since, so a slow page gets one merged update instead of a queue of them.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Lock _lock = new();
    private long _version;
    private TaskCompletionSource? _waiting;

    public long Version
    {
        get { lock (_lock) return _version; }
    }

    /// <summary>Counts a change and wakes the waiters; returns the new version.</summary>
    public long Bump()
    {
        TaskCompletionSource? waiting;
        long version;
        lock (_lock)
        {
            version = ++_version;
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
        return version;
    }

    /// <summary>Completes once the version is above <paramref name="seen"/>.</summary>
    public Task WaitAsync(long seen, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_version > seen) return Task.CompletedTask;
            _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiting.Task.WaitAsync(cancellationToken);
        }
    }
}
