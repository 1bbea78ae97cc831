using AmebaOta.Protocol;

namespace AmebaOta.Fleet.Airtime;

/// <summary>
/// Decides when the next board of a fleet may start, so that the boards taking bytes share an airtime budget
/// (<see cref="AirtimeBudget.MaxBytesPerSecond"/>) instead of a fixed number of them going at once.
/// <para>A board that is erasing (it reads nothing) or rebooting costs nothing; one that takes bytes costs the rate it
/// takes them at, measured from the bytes it acknowledged over a sliding window. A board may start when, at the moment
/// its own erase is expected to end, the boards still taking bytes then plus itself fit in the budget. So the next
/// boards start while the ones before are still erasing, and take bytes as those finish. Both estimates are learnt from
/// the run: the erase from the first boards' (a lower bound until one has finished: no board of the same image erases for
/// less than the ones still erasing have already spent), a board's rate from the boards taking bytes
/// (<see cref="AirtimeBudget.ExpectedBoardRate"/> until one has been measured).</para>
/// <para>Those estimates look seconds ahead and can be wrong (a busy host, boards slower or faster than the ones before), so
/// the budget is also kept where the bytes go out: every board's bytes are paced through one shared schedule at the budget's
/// rate (<see cref="PaceAsync(int, CancellationToken)"/>), the uploader keeping only a few KB beyond what its board acknowledged,
/// and all boards together at most <see cref="AirtimeBudget.InFlight"/> of the budget (bytes in flight are acknowledged
/// whenever the boards get to them, many at once when many boards do: unbounded, they were what took a second over the
/// budget at 1,000 boards). A wrong estimate then costs time (boards sharing the rate), never the budget.</para>
/// <para>Boards start in the order they asked (a retry goes first), at most <see cref="AirtimeBudget.MaxConcurrent"/>
/// at once. Thread-safe; no I/O.</para>
/// </summary>
public sealed class AirtimeScheduler : IDisposable
{
    private const int Buckets = 50;
    private const double Burst = 0.02;   // seconds of the budget the bucket holds: what may go at once after a pause
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(50);
    private const double RoomPoll = 0.002;   // seconds between looks while the bytes in flight fill their bound

    private readonly AirtimeBudget _budget;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private readonly List<AirtimeTicket> _active = [];
    private readonly long[] _buckets = new long[Buckets];
    private readonly double _bucketSeconds;
    private long _newestBucket;
    private double _peakRate;
    private long _totalBytes;
    private double? _firstByteAt;
    private double _lastByteAt;
    private double? _lastBoardRate;
    private double? _observedErase;
    private int _peakSending, _peakOpen, _started;
    private ITimer? _timer;
    private bool _disposed;
    private readonly Queue<Pace> _paceQueue = new();
    private double _tokens;     // bytes the budget allows now
    private double? _tokensAt;
    private bool _pacing;       // a loop grants the waiting bytes
    private long _inFlight;     // bytes granted and not yet acknowledged, all boards taking bytes together

    /// <summary>A scheduler keeping <paramref name="budget"/> (default: <see cref="AirtimeBudget"/>'s defaults).</summary>
    public AirtimeScheduler(AirtimeBudget? budget = null)
    {
        _budget = budget ?? new AirtimeBudget();
        if (_budget.MaxBytesPerSecond is <= 0) throw new ArgumentOutOfRangeException(nameof(budget), "the rate budget must be positive (or none)");
        if (_budget.MaxConcurrent is < 1) throw new ArgumentOutOfRangeException(nameof(budget), "the concurrency cap must be at least 1 (or none)");
        if (_budget.Window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(budget), "the window must be positive");
        if (_budget.InFlight < TimeSpan.Zero || _budget.InFlight.TotalSeconds + Burst >= _budget.Window.TotalSeconds / 2)
            throw new ArgumentOutOfRangeException(nameof(budget), "the bytes in flight must be a small part of the window (the pace is the budget less them)");
        _clock = _budget.Clock;
        _bucketSeconds = _budget.Window.TotalSeconds / Buckets;
    }

    /// <summary>The budget this scheduler keeps.</summary>
    public AirtimeBudget Budget => _budget;

    /// <summary>
    /// Waits until a board may start an upload of <paramref name="imageLength"/> bytes, and returns its ticket: report its
    /// progress to it, dispose it when the upload has ended (before waiting for the reboot). A <paramref name="retry"/>
    /// goes before the boards that have not started yet.
    /// </summary>
    public async ValueTask<AirtimeTicket> WaitTurnAsync(long imageLength, bool retry = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            double now = Now();
            if ((_waiting.Count == 0 || retry) && CanStart(now, imageLength)) return Admit(now, imageLength);
            waiter = new Waiter(imageLength);
            node = retry ? _waiting.AddFirst(waiter) : _waiting.AddLast(waiter);
            _timer ??= _clock.CreateTimer(_ => Pump(), null, PumpInterval, PumpInterval);
        }
        using (cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is null) return;
                _waiting.Remove(node);
            }
            waiter.Turn.TrySetCanceled(cancellationToken);
            Pump();
        }))
        {
            return await waiter.Turn.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until <paramref name="bytes"/> more bytes fit the budget's rate, all boards together: a token bucket filled at
    /// the budget's rate in real time, holding at most <see cref="Burst"/> of it, served first come first served. A host
    /// that stalls for a while does not catch up with a burst afterwards. A piece larger than the bucket (a small budget)
    /// goes once the bucket is full, and the bucket owes the rest.
    /// </summary>
    public ValueTask PaceAsync(int bytes, CancellationToken cancellationToken) => PaceAsync(null, bytes, 0, cancellationToken, out _);

    internal ValueTask PaceAsync(AirtimeTicket? ticket, int bytes, long acknowledged, CancellationToken cancellationToken, out double now)
    {
        now = Now();
        if (PaceRate is not { } rate) return ValueTask.CompletedTask;
        Pace pace;
        lock (_lock)
        {
            if (ticket is not null) Acknowledged(ticket, acknowledged);
            Refill(now, rate);
            pace = new Pace(ticket, bytes);
            if (_paceQueue.Count == 0 && _tokens >= Fits(bytes, rate) && HasRoom(pace))
            {
                Grant(pace);
                return ValueTask.CompletedTask;
            }
            _paceQueue.Enqueue(pace);
            if (!_pacing)
            {
                _pacing = true;
                _ = Task.Run(() => PaceLoopAsync(rate), CancellationToken.None);
            }
        }
        return WaitGrantedAsync(pace, cancellationToken);
    }

    private static async ValueTask WaitGrantedAsync(Pace pace, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() => pace.Granted.TrySetCanceled(cancellationToken)))
            await pace.Granted.Task.ConfigureAwait(false);
    }

    /// <summary>Grants the waiting bytes in order as the bucket fills, sleeping until the next one fits; ends when none wait.</summary>
    private async Task PaceLoopAsync(double rate)
    {
        while (true)
        {
            double wait;
            List<Pace>? granted = null;
            lock (_lock)
            {
                Refill(Now(), rate);
                while (_paceQueue.TryPeek(out var next) &&
                       (next.Granted.Task.IsCompleted || _tokens >= Fits(next.Bytes, rate) && HasRoom(next)))
                {
                    _paceQueue.Dequeue();
                    if (next.Granted.Task.IsCompleted) continue;   // cancelled: it takes nothing
                    Grant(next);
                    (granted ??= []).Add(next);
                }
                if (_paceQueue.TryPeek(out var head))
                    wait = _tokens >= Fits(head.Bytes, rate) ? RoomPoll : (Fits(head.Bytes, rate) - _tokens) / rate;
                else
                {
                    _pacing = false;
                    wait = -1;
                }
            }
            if (granted is not null) foreach (var g in granted) g.Granted.TrySetResult();
            if (wait < 0) return;
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(wait, 0.001)), _clock).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when <paramref name="pace"/>'s bytes in flight stay within the bound (or nothing is in flight: a piece larger
    /// than the bound still goes). Only boards taking bytes count: a board still erasing holds its first few KB until its
    /// erase ends (the uploader keeps it at that), and counting them would let erasing boards fill the bound while the
    /// boards that could take bytes wait.
    /// </summary>
    private bool HasRoom(Pace pace) =>
        pace.Ticket is { IsSending: false } || _inFlight == 0 || _inFlight + pace.Bytes <= _budget.MaxBytesPerSecond * _budget.InFlight.TotalSeconds;

    private void Grant(Pace pace)
    {
        _tokens -= pace.Bytes;
        if (pace.Ticket is not { } ticket) return;
        long before = Counted(ticket);
        ticket.Granted += pace.Bytes;
        _inFlight += Counted(ticket) - before;
    }

    /// <summary>What <paramref name="ticket"/>'s board has acknowledged is no longer in flight (under the lock).</summary>
    private void Acknowledged(AirtimeTicket ticket, long acknowledged)
    {
        long before = Counted(ticket);
        ticket.AckedInFlight = Math.Max(ticket.AckedInFlight, acknowledged);
        _inFlight += Counted(ticket) - before;
    }

    /// <summary>The bytes in flight <paramref name="ticket"/> adds to the bound's count.</summary>
    private static long Counted(AirtimeTicket ticket) => ticket.IsSending && !ticket.Released ? ticket.InFlight : 0;

    /// <summary>
    /// The rate bytes are handed out at: the budget less what can come on top of it within a window (the bytes in flight
    /// and the bucket's burst), so that what the boards acknowledge over any window stays within the budget, not only on average.
    /// </summary>
    internal double? PaceRate => _budget.MaxBytesPerSecond * (1 - (_budget.InFlight.TotalSeconds + Burst) / _budget.Window.TotalSeconds);

    /// <summary>The tokens a piece of <paramref name="bytes"/> waits for: its size, at most a full bucket.</summary>
    private static double Fits(int bytes, double rate) => Math.Min(bytes, rate * Burst);

    private void Refill(double now, double rate)
    {
        if (_tokensAt is null) _tokens = rate * Burst;
        else _tokens = Math.Min(rate * Burst, _tokens + (now - _tokensAt.Value) * rate);
        _tokensAt = now;
    }

    private sealed class Pace(AirtimeTicket? ticket, int bytes)
    {
        public AirtimeTicket? Ticket { get; } = ticket;
        public int Bytes { get; } = bytes;
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>What the budget is doing now, and the most it did so far.</summary>
    public AirtimeSnapshot Snapshot()
    {
        lock (_lock)
        {
            double now = Now();
            int sending = _active.Count(t => t.IsSending);
            double? duration = _firstByteAt is { } first && _lastByteAt > first ? _lastByteAt - first : null;
            return new AirtimeSnapshot(_budget.MaxBytesPerSecond, _budget.MaxConcurrent, WindowBytes(now) / _budget.Window.TotalSeconds, _peakRate,
                sending, _active.Count - sending, _waiting.Count, BoardRate(), _observedErase is { } e ? TimeSpan.FromSeconds(e) : null,
                _peakSending, _peakOpen, _started, _totalBytes, duration is { } d ? _totalBytes / d : 0);
        }
    }

    /// <summary>Stops the timer; boards still waiting are cancelled.</summary>
    public void Dispose()
    {
        List<Waiter> waiting;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (var w in waiting) w.Turn.TrySetCanceled();
    }

    /// <summary>Starts every waiting board the budget has room for, first come first served.</summary>
    private void Pump()
    {
        List<(Waiter, AirtimeTicket)>? started = null;
        lock (_lock)
        {
            if (_disposed) return;
            double now = Now();
            while (_waiting.First is { } first && CanStart(now, first.Value.ImageLength))
            {
                _waiting.RemoveFirst();
                (started ??= []).Add((first.Value, Admit(now, first.Value.ImageLength)));
            }
            if (_waiting.Count == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
        if (started is null) return;
        foreach (var (waiter, ticket) in started)
            if (!waiter.Turn.TrySetResult(ticket)) ticket.Dispose();   // cancelled meanwhile
    }

    private AirtimeTicket Admit(double now, long imageLength)
    {
        var ticket = new AirtimeTicket(this, imageLength, now);
        _active.Add(ticket);
        _started++;
        _peakOpen = Math.Max(_peakOpen, _active.Count);
        return ticket;
    }

    /// <summary>
    /// True when one more board fits: fewer than the cap are open, and at the time its erase should end, the rates of the
    /// boards expected to be taking bytes then, plus its own, are within the budget.
    /// </summary>
    private bool CanStart(double now, long imageLength)
    {
        if (_active.Count >= _budget.EffectiveMaxConcurrent) return false;
        if (_budget.MaxBytesPerSecond is not { } budget || _active.Count == 0) return true;
        double rate = BoardRate();
        double erase = EraseEstimate(now);
        double then = now + erase;
        double demand = rate;
        foreach (var t in _active) demand += t.RateAt(then, now, erase, rate);
        return demand <= budget * 1.000001;
    }

    /// <summary>
    /// What a board takes: the mean rate of the boards taking bytes now at their own pace (measured over the window, not
    /// held back by the budget), else the last such mean, else the expected rate.
    /// </summary>
    private double BoardRate()
    {
        double sum = 0, now = Now();
        int n = 0;
        foreach (var t in _active)
            if (t.OwnPace(now) is { } r) { sum += r; n++; }
        if (n > 0) _lastBoardRate = sum / n;
        return _lastBoardRate ?? _budget.ExpectedBoardRate;
    }

    /// <summary>
    /// How long a board starting now will erase before it takes bytes: the shortest erase seen so far; before any board
    /// finished its erase, the longest any board has been erasing (a lower bound); nothing known, 0 (a board counts as
    /// taking bytes at once).
    /// </summary>
    private double EraseEstimate(double now)
    {
        if (_observedErase is { } seen) return seen;
        double longest = 0;
        foreach (var t in _active)
            if (t.ErasingSince is { } since) longest = Math.Max(longest, now - since);
        return longest;
    }

    internal void Reported(AirtimeTicket ticket, OtaUploadPhase phase, long acknowledged)
    {
        bool changed;
        lock (_lock)
        {
            double now = Now();
            long counted = Counted(ticket);
            long delta = ticket.Record(now, phase, acknowledged, out changed, out double? eraseTook);
            ticket.AckedInFlight = Math.Max(ticket.AckedInFlight, acknowledged);
            _inFlight += Counted(ticket) - counted;   // a board that starts taking bytes brings its bytes in flight
            if (eraseTook is { } e) _observedErase = Math.Min(_observedErase ?? double.MaxValue, e);
            if (delta > 0) AddBytes(now, delta);
            if (changed) _peakSending = Math.Max(_peakSending, _active.Count(t => t.IsSending));
        }
        if (changed) Pump();
    }

    internal void Ended(AirtimeTicket ticket)
    {
        lock (_lock)
        {
            if (!_active.Remove(ticket)) return;
            _inFlight -= Counted(ticket);
            ticket.Released = true;
        }
        Pump();
    }

    private void AddBytes(double now, long bytes)
    {
        long bucket = Advance(now);
        _buckets[bucket % Buckets] += bytes;
        _totalBytes += bytes;
        _firstByteAt ??= now;
        _lastByteAt = now;
        _peakRate = Math.Max(_peakRate, WindowBytes(now) / _budget.Window.TotalSeconds);
    }

    /// <summary>Bytes acknowledged in the last window.</summary>
    private long WindowBytes(double now)
    {
        Advance(now);
        long sum = 0;
        foreach (long b in _buckets) sum += b;
        return sum;
    }

    /// <summary>Moves the ring to the bucket of <paramref name="now"/>, emptying the buckets that fell out of the window.</summary>
    private long Advance(double now)
    {
        long bucket = (long)(now / _bucketSeconds);
        if (bucket <= _newestBucket) return _newestBucket;
        for (long b = Math.Max(_newestBucket + 1, bucket - Buckets + 1); b <= bucket; b++) _buckets[b % Buckets] = 0;
        _newestBucket = bucket;
        return bucket;
    }

    private double Now() => _clock.GetTimestamp() / (double)_clock.TimestampFrequency;

    private sealed class Waiter(long imageLength)
    {
        public long ImageLength { get; } = imageLength;
        public TaskCompletionSource<AirtimeTicket> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
