namespace AmebaOta.Tests.Support;

/// <summary>A clock that moves only when told (<see cref="Advance"/>), firing the timers that fall due on the way, in order.</summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<Timer> _timers = [];
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch + Now;

    /// <summary>Time since the clock was made.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <summary>Moves the clock on by <paramref name="by"/>, running each timer callback at its due time (on this thread).</summary>
    public void Advance(TimeSpan by)
    {
        long end = Interlocked.Read(ref _ticks) + by.Ticks;
        while (true)
        {
            Timer? next;
            lock (_lock) next = _timers.Where(t => t.DueAt <= end).MinBy(t => t.DueAt);
            if (next is null) break;
            Interlocked.Exchange(ref _ticks, Math.Max(Interlocked.Read(ref _ticks), next.DueAt));
            next.Fire();
        }
        Interlocked.Exchange(ref _ticks, end);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _period;
        public long DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
                _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                DueAt = clock.GetTimestamp() + dueTime.Ticks;
                clock._timers.Add(this);
            }
            return true;
        }

        public void Fire()
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
                if (_period > 0)
                {
                    DueAt += _period;
                    clock._timers.Add(this);
                }
            }
            callback(state);
        }

        public void Dispose()
        {
            lock (clock._lock) clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
