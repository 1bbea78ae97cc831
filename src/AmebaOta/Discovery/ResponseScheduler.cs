using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// When a responder multicasts its answers (RFC 6762 §6, §7.2):
/// <list type="bullet">
/// <item>no record goes out again within one second of its last multicast (probe answers excepted): the answer is deferred
/// to the end of that second, not dropped, and a multicast of the record in the meantime (an announcement) answers it;</item>
/// <item>a record already pending is not queued twice, and everything due together leaves in one packet, so a flood of
/// queries draws at most one answer per record per second;</item>
/// <item>a query with the TC bit is held 400–500 ms, longer while more known-answer packets from the same querier arrive,
/// and records those packets list are not sent.</item>
/// </list>
/// Thread-safe; <paramref name="send"/> is called on a timer thread with the records due.
/// </summary>
internal sealed class ResponseScheduler(Action<List<DnsRecord>> send) : IDisposable
{
    public const int RateLimitMs = 1000;
    private const int SlackMs = 5;

    private readonly Lock _lock = new();
    private readonly Dictionary<DnsRecord, long> _lastMulticast = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<DnsRecord, long> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly List<HeldQuery> _holds = [];
    private Timer? _timer;
    private long _armedFor = long.MaxValue;
    private bool _disposed;
    private long _deferred;

    private sealed class HeldQuery(IPEndPoint from, List<DnsRecord> records, long due)
    {
        public IPEndPoint From { get; } = from;
        public List<DnsRecord> Records { get; } = records;
        public long Due { get; set; } = due;
    }

    /// <summary>Answers that had to wait for the one-second rule (diagnostics and tests).</summary>
    public long Deferred => Interlocked.Read(ref _deferred);

    /// <summary>Notes that <paramref name="records"/> were just multicast (an announcement, a response): pending copies are answered by it.</summary>
    public void Multicast(IEnumerable<DnsRecord> records, long now)
    {
        lock (_lock)
            foreach (var r in records)
            {
                _lastMulticast[r] = now;
                _pending.Remove(r);
            }
    }

    /// <summary>True when <paramref name="record"/> was multicast within the last <paramref name="withinMs"/> ms.</summary>
    public bool MulticastWithin(DnsRecord record, long withinMs, long now)
    {
        lock (_lock) return _lastMulticast.TryGetValue(record, out long at) && now - at < withinMs;
    }

    /// <summary>Queues <paramref name="records"/> to multicast no sooner than <paramref name="earliest"/> and no sooner than one second after each one's last multicast.</summary>
    public void Schedule(IEnumerable<DnsRecord> records, long earliest, long now)
    {
        lock (_lock)
        {
            if (_disposed) return;
            foreach (var r in records) Queue(r, earliest);
            Arm(now);
        }
    }

    /// <summary>Holds the answers to a truncated query from <paramref name="from"/> until its known answers are in (§7.2).</summary>
    public void Hold(IPEndPoint from, List<DnsRecord> records, long due, long now)
    {
        lock (_lock)
        {
            if (_disposed) return;
            _holds.RemoveAll(h => h.From.Equals(from));
            _holds.Add(new HeldQuery(from, records, due));
            Arm(now);
        }
    }

    /// <summary>
    /// A packet of known answers only (no questions) from <paramref name="from"/>: drops the held records it lists; when
    /// <paramref name="moreFollow"/> (TC again), waits until <paramref name="due"/> for the next one. False when nothing was held for that querier.
    /// </summary>
    public bool MoreKnownAnswers(IPEndPoint from, KnownAnswers known, bool moreFollow, long due, long now)
    {
        lock (_lock)
        {
            var hold = _holds.Find(h => h.From.Equals(from));
            if (hold is null) return false;
            hold.Records.RemoveAll(known.Suppresses);
            if (moreFollow) hold.Due = Math.Max(hold.Due, due);
            Arm(now);
            return true;
        }
    }

    private void Queue(DnsRecord r, long earliest)
    {
        long due = earliest;
        if (_lastMulticast.TryGetValue(r, out long last) && last + RateLimitMs > due)
        {
            due = last + RateLimitMs;
            Interlocked.Increment(ref _deferred);
        }
        if (!_pending.TryGetValue(r, out long already) || due < already) _pending[r] = due;
    }

    private void Arm(long now)
    {
        long next = long.MaxValue;
        foreach (var due in _pending.Values) next = Math.Min(next, due);
        foreach (var h in _holds) next = Math.Min(next, h.Due);
        if (next == long.MaxValue || next >= _armedFor) return;
        _armedFor = next;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, next - now));
        if (_timer is null) _timer = new Timer(_ => Fire(), null, wait, Timeout.InfiniteTimeSpan);
        else _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        List<DnsRecord> due = [];
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (_disposed) return;
            _armedFor = long.MaxValue;
            for (int i = _holds.Count - 1; i >= 0; i--)
            {
                if (_holds[i].Due > now + SlackMs) continue;
                foreach (var r in _holds[i].Records) Queue(r, now);
                _holds.RemoveAt(i);
            }
            foreach (var (r, at) in _pending)
                if (at <= now + SlackMs) due.Add(r);
            foreach (var r in due)
            {
                _pending.Remove(r);
                _lastMulticast[r] = now;
            }
            Arm(now);
        }
        if (due.Count > 0) send(due);
    }

    /// <summary>Forgets everything pending (the responder stopped or renamed itself).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _pending.Clear();
            _holds.Clear();
            _lastMulticast.Clear();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _pending.Clear();
            _holds.Clear();
        }
        _timer?.Dispose();
    }
}
