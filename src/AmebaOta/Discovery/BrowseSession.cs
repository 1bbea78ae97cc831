using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// One browsing run: its handle on the mDNS socket, its cache, the query schedule (§5.2: at once, then after 1 s, 2 s, 4 s …,
/// each repeat carrying the PTRs already known as known answers, §7.1, split over several packets with the TC bit when
/// they do not fit one, §7.2) and the follow-up questions for records not yet received. <see cref="WaitAsync"/> wakes when
/// the cache changed (however many packets changed it), or when a query or follow-up is due.
/// </summary>
internal sealed class BrowseSession : IAsyncDisposable
{
    private const int MaxFollowUpQuestions = 64;

    private readonly MdnsTransport _transport;
    private readonly List<OneShotQuerier> _oneShot = [];
    private readonly ServiceCache _cache;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly DnsName? _wantedInstance;
    private readonly TimeSpan _maxInterval;
    private TimeSpan _interval = TimeSpan.FromSeconds(1);
    private long _nextQuery;
    private int _queries;
    private int _queryPackets;

    public BrowseSession(MdnsBrowserOptions options, string? wantedInstance)
    {
        _cache = new ServiceCache(ServiceRecords.TypeNameOf(options.ServiceType), options.CacheCapacity);
        _maxInterval = options.MaxQueryInterval;
        if (wantedInstance is not null)
        {
            try { _wantedInstance = _cache.TypeName.Prepend(wantedInstance); }
            catch (DnsFormatException) { _wantedInstance = null; }
        }
        var interfaces = MdnsInterface.Resolve(options.Interface);
        _transport = new MdnsTransport(interfaces, OnPacket, MdnsInterest.Responses);
        try
        {
            if (_wantedInstance is not null)
                foreach (var nic in interfaces) _oneShot.Add(new OneShotQuerier(nic, OnOneShotReply));
        }
        catch
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    private void OnOneShotReply(DnsMessage reply)
    {
        bool changed;
        lock (_lock) changed = _cache.Add(reply, Environment.TickCount64);
        if (changed) Signal();
    }

    /// <summary>Queries sent and the packets they took (more than one when the known answers needed the TC bit).</summary>
    public (int Queries, int Packets) QueriesSent
    {
        get { lock (_lock) return (_queries, _queryPackets); }
    }

    private void OnPacket(MdnsPacket packet)
    {
        bool changed;
        lock (_lock) changed = _cache.Add(packet.Message, Environment.TickCount64);
        if (changed) Signal();
    }

    private void Signal()
    {
        if (_changed.CurrentCount > 0) return;
        try { _changed.Release(); }
        catch (SemaphoreFullException) { }   // already signalled: one wake-up covers any number of packets
        catch (ObjectDisposedException) { }
    }

    /// <summary>Services that appeared (complete, or changed) or disappeared since the last call; expired records go first.</summary>
    public List<ServiceEvent> TakeChanges()
    {
        long now = Environment.TickCount64;
        lock (_lock)
        {
            _cache.Expire(now);
            return _cache.TakeChanges(now);
        }
    }

    /// <summary>Every complete service now.</summary>
    public List<DiscoveredService> Complete()
    {
        TakeChanges();
        lock (_lock) return _cache.Complete();
    }

    /// <summary>
    /// Sends the browse query when it is due: PTR for the service type, multicast from port 5353 as QM (our socket shares the
    /// port, where unicast replies could land on another process's socket). When a name is wanted, also a one-shot query
    /// (§5.1) for that instance's SRV and TXT from our own port: the board answers it at once by unicast, however recently
    /// it multicast those records.
    /// </summary>
    public void QueryIfDue()
    {
        long now = Environment.TickCount64;
        if (now < _nextQuery) return;
        var questions = new List<DnsQuestion> { new(_cache.TypeName, DnsRecordType.Ptr) };
        if (_wantedInstance is not null)
            foreach (var q in _oneShot) q.Send([new DnsQuestion(_wantedInstance, DnsRecordType.Srv), new DnsQuestion(_wantedInstance, DnsRecordType.Txt)]);
        List<DnsRecord> known;
        lock (_lock) known = _cache.KnownAnswers(now);
        int packets = _transport.SendQuery(questions, known);
        lock (_lock)
        {
            _queries++;
            _queryPackets += packets;
        }
        _nextQuery = now + (long)_interval.TotalMilliseconds;
        _interval = TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, _maxInterval.Ticks));
    }

    /// <summary>Asks for SRV/TXT/A that the answers so far point at but did not carry, each with its own back-off (see <see cref="ServiceCache.DueQuestions"/>).</summary>
    public void FollowUp()
    {
        List<DnsQuestion> questions;
        lock (_lock) questions = _cache.DueQuestions(Environment.TickCount64, MaxFollowUpQuestions, (long)_maxInterval.TotalMilliseconds);
        if (questions.Count > 0) _transport.Send(new DnsMessage { Header = DnsHeader.Query, Questions = questions });
    }

    /// <summary>Waits until the cache changes, the next query or follow-up is due, or <paramref name="limit"/> passes.</summary>
    public async Task WaitAsync(TimeSpan limit, CancellationToken ct)
    {
        long now = Environment.TickCount64;
        long next;
        lock (_lock) next = Math.Min(_nextQuery, _cache.NextQuestionAt);
        var wait = TimeSpan.FromMilliseconds(Math.Clamp(next - now, 0, (long)Math.Max(0, limit.TotalMilliseconds)));
        await _changed.WaitAsync(wait, ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var q in _oneShot) await q.DisposeAsync().ConfigureAwait(false);
        if (_transport is not null) await _transport.DisposeAsync().ConfigureAwait(false);
        _changed.Dispose();
    }
}
