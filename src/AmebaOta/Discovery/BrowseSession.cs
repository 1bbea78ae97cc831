using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// One browsing run: its own mDNS socket and cache, the query schedule (§5.2: at once, then after 1 s, 2 s, 4 s …) and the
/// follow-up questions for records not yet received. <see cref="WaitAsync"/> wakes on every change or when the next query is due.
/// </summary>
internal sealed class BrowseSession : IAsyncDisposable
{
    private static readonly TimeSpan FollowUpGap = TimeSpan.FromMilliseconds(250);

    private readonly MdnsTransport _transport;
    private readonly ServiceCache _cache;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Dictionary<(DnsName, DnsRecordType), long> _asked = [];
    private readonly DnsName? _wantedInstance;
    private readonly TimeSpan _maxInterval;
    private TimeSpan _interval = TimeSpan.FromSeconds(1);
    private long _nextQuery;

    public BrowseSession(MdnsBrowserOptions options, string? wantedInstance)
    {
        _cache = new ServiceCache(ServiceRecords.TypeNameOf(options.ServiceType));
        _maxInterval = options.MaxQueryInterval;
        if (wantedInstance is not null)
        {
            try { _wantedInstance = _cache.TypeName.Prepend(wantedInstance); }
            catch (DnsFormatException) { _wantedInstance = null; }
        }
        _transport = new MdnsTransport(MdnsInterface.Resolve(options.Interface), OnPacketAsync);
    }

    private ValueTask OnPacketAsync(MdnsPacket packet)
    {
        if (!packet.Message.IsResponse) return ValueTask.CompletedTask;
        bool changed;
        lock (_lock) changed = _cache.Add(packet.Message, Environment.TickCount64);
        if (changed) _changed.Release();
        return ValueTask.CompletedTask;
    }

    public List<DiscoveredService> Complete()
    {
        lock (_lock)
        {
            _cache.Expire(Environment.TickCount64);
            return _cache.Complete();
        }
    }

    /// <summary>
    /// Sends the browse query when it is due: PTR for the service type and, when a name is wanted, SRV and TXT for that
    /// instance too (unique records, answered without the 20–120 ms delay of shared ones). Multicast, QM (our socket shares
    /// port 5353, where unicast replies could land on another process's socket).
    /// </summary>
    public void QueryIfDue()
    {
        long now = Environment.TickCount64;
        if (now < _nextQuery) return;
        var questions = new List<DnsQuestion> { new(_cache.TypeName, DnsRecordType.Ptr) };
        if (_wantedInstance is not null)
        {
            questions.Add(new DnsQuestion(_wantedInstance, DnsRecordType.Srv));
            questions.Add(new DnsQuestion(_wantedInstance, DnsRecordType.Txt));
        }
        _transport.Send(new DnsMessage { Header = DnsHeader.Query, Questions = questions });
        _nextQuery = now + (long)_interval.TotalMilliseconds;
        _interval = TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, _maxInterval.Ticks));
    }

    /// <summary>Asks for SRV/TXT/A that the answers so far point at but did not carry; each question at most every 250 ms.</summary>
    public void FollowUp()
    {
        long now = Environment.TickCount64;
        List<DnsQuestion> questions;
        lock (_lock)
        {
            questions = _cache.Missing().Where(q =>
                !_asked.TryGetValue((q.Name, q.Type), out long at) || now - at >= FollowUpGap.TotalMilliseconds).ToList();
            foreach (var q in questions) _asked[(q.Name, q.Type)] = now;
        }
        if (questions.Count > 0) _transport.Send(new DnsMessage { Header = DnsHeader.Query, Questions = questions });
    }

    /// <summary>Waits until the cache changes, the next query is due or <paramref name="limit"/> passes.</summary>
    public async Task WaitAsync(TimeSpan limit, CancellationToken ct)
    {
        var untilQuery = TimeSpan.FromMilliseconds(Math.Max(0, _nextQuery - Environment.TickCount64));
        var wait = untilQuery < limit ? untilQuery : limit;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        await _changed.WaitAsync(wait, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        _changed.Dispose();
    }
}
