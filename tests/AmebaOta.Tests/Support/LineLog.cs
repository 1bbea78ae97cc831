namespace AmebaOta.Tests.Support;

/// <summary>Lines arriving from a board (in-process or a child process), with awaits on specific lines: no sleeps, a timeout only as a safety net.</summary>
public sealed class LineLog
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _lines.Add(line);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    public string[] Lines
    {
        get { lock (_gate) return [.. _lines]; }
    }

    public int Count(string exact) => Lines.Count(l => l == exact);

    public override string ToString() => string.Join('\n', Lines);

    /// <summary>Waits until <paramref name="exact"/> has appeared <paramref name="occurrence"/> times.</summary>
    public Task<string> WaitForAsync(string exact, int occurrence = 1, TimeSpan? timeout = null) =>
        WaitForAsync(l => l == exact, $"\"{exact}\" (#{occurrence})", occurrence, timeout);

    public async Task<string> WaitForAsync(Func<string, bool> match, string what, int occurrence = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _lines.Where(match).Skip(occurrence - 1).FirstOrDefault();
                if (found is not null) return found;
                changed = _changed.Task;
            }
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) throw new TimeoutException($"timed out waiting for {what}; lines so far:\n{this}");
            await Task.WhenAny(changed, Task.Delay(remaining));
        }
    }
}
