using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// The browser's record cache for one service type: PTR, SRV, TXT and A records with their expiry. Goodbyes (TTL 0)
/// remove at once; the cache-flush bit replaces a host's addresses. Work per packet does not grow with the number of
/// services known: only the instances a packet touched are re-resolved (<see cref="TakeChanges"/>), expiry scans run only
/// when something can have expired, and follow-up questions come from a queue. At most <see cref="Capacity"/> instances
/// (a flood of made-up names cannot grow it further). Not thread-safe (the browser locks around it).
/// </summary>
internal sealed class ServiceCache(DnsName typeName, int capacity = ServiceCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;
    private static readonly long FirstRetryMs = 250;

    private sealed class Instance(DnsName name)
    {
        public DnsName Name { get; } = name;
        public PtrRecord? Ptr;
        public long PtrReceived;
        public long PtrExpires;
        public SrvRecord? Srv;
        public long SrvExpires;
        public TxtRecord? Txt;
        public long TxtExpires;
        public DiscoveredService? Reported;
        /// <summary>Every address an answer gave this instance since it last went away: two mean two responders claim the name.</summary>
        public readonly HashSet<IPAddress> Seen = [];
        public bool IsEmpty => Ptr is null && Srv is null && Txt is null && Reported is null;
    }

    private readonly Dictionary<DnsName, Instance> _instances = [];
    private readonly Dictionary<DnsName, List<(IPAddress Address, long Expires)>> _a = [];
    private readonly Dictionary<DnsName, HashSet<DnsName>> _instancesByHost = [];
    private readonly HashSet<DnsName> _dirty = [];
    private readonly Dictionary<(DnsName, DnsRecordType), (long Next, long Interval)> _asks = [];
    private readonly PriorityQueue<(DnsName, DnsRecordType), long> _askQueue = new();
    private long _nextExpiry = long.MaxValue;

    public DnsName TypeName => typeName;

    public int Capacity => capacity;

    public int Count => _instances.Count;

    /// <summary>Takes in every record of a response; returns true when anything may have changed.</summary>
    public bool Add(DnsMessage response, long now)
    {
        bool changed = false;
        for (int pass = 0; pass < 2; pass++)   // addresses last: an A record counts only for a host an SRV names
        {
            foreach (var record in response.Answers) if (record is ARecord == (pass == 1)) changed |= Add(record, now);
            foreach (var record in response.Authorities) if (record is ARecord == (pass == 1)) changed |= Add(record, now);
            foreach (var record in response.Additionals) if (record is ARecord == (pass == 1)) changed |= Add(record, now);
        }
        return changed;
    }

    private bool Add(DnsRecord record, long now)
    {
        long expires = now + record.Ttl * 1000L;
        switch (record)
        {
            case PtrRecord p when p.Name == typeName && IsInstanceOfType(p.Target):
            {
                if (p.Ttl == 0)
                {
                    if (!_instances.TryGetValue(p.Target, out var gone)) return false;
                    Unlink(gone);
                    gone.Ptr = null; gone.Srv = null; gone.Txt = null;
                    gone.Seen.Clear();
                    return Touch(gone);
                }
                if (GetOrAdd(p.Target) is not { } i) return false;
                bool isNew = i.Ptr is null;
                i.Ptr = p; i.PtrReceived = now; i.PtrExpires = expires;
                Expiring(expires);
                return isNew && Touch(i);
            }
            case SrvRecord s when IsInstanceOfType(s.Name):
            {
                if (s.Ttl == 0)
                {
                    if (!_instances.TryGetValue(s.Name, out var gone) || gone.Srv is null) return false;
                    Unlink(gone);
                    gone.Srv = null;
                    gone.Seen.Clear();
                    return Touch(gone);
                }
                if (GetOrAdd(s.Name) is not { } i) return false;
                bool changed = i.Srv is null || !i.Srv.SameData(s);
                if (changed) Unlink(i);
                i.Srv = s; i.SrvExpires = expires;
                Expiring(expires);
                if (changed)
                {
                    Link(i);
                    if (_a.TryGetValue(s.Target, out var known)) foreach (var e in known) i.Seen.Add(e.Address);
                }
                return changed && Touch(i);
            }
            case TxtRecord t when IsInstanceOfType(t.Name):
            {
                if (t.Ttl == 0)
                {
                    if (!_instances.TryGetValue(t.Name, out var gone) || gone.Txt is null) return false;
                    gone.Txt = null;
                    return Touch(gone);
                }
                if (GetOrAdd(t.Name) is not { } i) return false;
                bool changed = i.Txt is null || !i.Txt.SameData(t);
                i.Txt = t; i.TxtExpires = expires;
                Expiring(expires);
                return changed && Touch(i);
            }
            case ARecord a:
            {
                bool known = _a.TryGetValue(a.Name, out var list);
                if (!known && (a.Ttl == 0 || !_instancesByHost.ContainsKey(a.Name))) return false;   // only hosts our services name
                list ??= _a[a.Name] = [];
                int at = list.FindIndex(e => e.Address.Equals(a.Address));
                bool changed;
                if (a.Ttl == 0)
                {
                    if (at < 0) return false;
                    list.RemoveAt(at);
                    changed = true;
                }
                else
                {
                    changed = at < 0;
                    if (a.CacheFlush) { changed |= list.Count > (at < 0 ? 0 : 1); list.Clear(); }
                    else if (at >= 0) list.RemoveAt(at);
                    list.Add((a.Address, expires));
                    Expiring(expires);
                    SeenAt(a.Name, a.Address);
                }
                if (changed) TouchHost(a.Name);
                return changed;
            }
            default:
                return false;
        }
    }

    private bool IsInstanceOfType(DnsName name) => name.Labels.Count == typeName.Labels.Count + 1 && name.EndsWith(typeName);

    private Instance? GetOrAdd(DnsName name)
    {
        if (_instances.TryGetValue(name, out var i)) return i;
        if (_instances.Count >= capacity) return null;
        return _instances[name] = new Instance(name);
    }

    private void Link(Instance i)
    {
        if (i.Srv is null) return;
        if (!_instancesByHost.TryGetValue(i.Srv.Target, out var set)) _instancesByHost[i.Srv.Target] = set = [];
        set.Add(i.Name);
    }

    private void Unlink(Instance i)
    {
        if (i.Srv is null || !_instancesByHost.TryGetValue(i.Srv.Target, out var set)) return;
        set.Remove(i.Name);
        if (set.Count == 0)
        {
            _instancesByHost.Remove(i.Srv.Target);
            _a.Remove(i.Srv.Target);
        }
    }

    private bool Touch(Instance i)
    {
        _dirty.Add(i.Name);
        return true;
    }

    private void SeenAt(DnsName host, IPAddress address)
    {
        if (!_instancesByHost.TryGetValue(host, out var set)) return;
        foreach (var name in set)
            if (_instances.TryGetValue(name, out var i)) i.Seen.Add(address);
    }

    private void TouchHost(DnsName host)
    {
        if (_instancesByHost.TryGetValue(host, out var set))
            foreach (var name in set) _dirty.Add(name);
    }

    private void Expiring(long at)
    {
        if (at < _nextExpiry) _nextExpiry = at;
    }

    /// <summary>Drops expired records (a full pass only once the earliest expiry is reached); true when anything went.</summary>
    public bool Expire(long now)
    {
        if (now < _nextExpiry) return false;
        long next = long.MaxValue;
        bool removed = false;
        foreach (var i in _instances.Values)
        {
            if (i.Ptr is not null && i.PtrExpires <= now) { i.Ptr = null; removed |= Touch(i); }
            if (i.Srv is not null && i.SrvExpires <= now) { Unlink(i); i.Srv = null; removed |= Touch(i); }
            if (i.Txt is not null && i.TxtExpires <= now) { i.Txt = null; removed |= Touch(i); }
            if (i.Ptr is not null) next = Math.Min(next, i.PtrExpires);
            if (i.Srv is not null) next = Math.Min(next, i.SrvExpires);
            if (i.Txt is not null) next = Math.Min(next, i.TxtExpires);
        }
        foreach (var (host, list) in _a)
        {
            if (list.RemoveAll(e => e.Expires <= now) > 0) { TouchHost(host); removed = true; }
            foreach (var e in list) next = Math.Min(next, e.Expires);
        }
        _nextExpiry = next;
        return removed;
    }

    /// <summary>
    /// What changed since the last call among the instances touched: a service that became complete or different
    /// (<see cref="ServiceEventKind.Appeared"/>) or stopped being complete (<see cref="ServiceEventKind.Disappeared"/>).
    /// Incomplete instances are queued for follow-up questions (<see cref="DueQuestions"/>).
    /// </summary>
    public List<ServiceEvent> TakeChanges(long now)
    {
        var events = new List<ServiceEvent>();
        foreach (var name in _dirty)
        {
            if (!_instances.TryGetValue(name, out var i)) continue;
            var resolved = Resolve(i);
            if (resolved is null)
            {
                if (i.Reported is not null) events.Add(new ServiceEvent(ServiceEventKind.Disappeared, i.Reported));
                i.Reported = null;
                if (i.Ptr is not null || i.Srv is not null || i.Txt is not null) QueueMissing(i, now);
            }
            else if (i.Reported is null || !i.Reported.Equals(resolved))
            {
                events.Add(new ServiceEvent(ServiceEventKind.Appeared, resolved));
                i.Reported = resolved;
            }
            if (i.IsEmpty) _instances.Remove(name);
        }
        _dirty.Clear();
        return events;
    }

    private DiscoveredService? Resolve(Instance i)
    {
        if (i.Srv is not { } srv || i.Txt is not { } txt) return null;
        if (!_a.TryGetValue(srv.Target, out var addresses) || addresses.Count == 0) return null;
        return new DiscoveredService(
            i.Name.Labels[0],
            string.Join('.', typeName.Labels.Take(typeName.Labels.Count - 1)),
            srv.Target.ToString().TrimEnd('.'),
            addresses[^1].Address,
            srv.Port,
            txt.Pairs());
    }

    /// <summary>
    /// Every complete service, sorted by instance name (call <see cref="TakeChanges"/> first), each with the other
    /// addresses answers gave its name meanwhile (<see cref="DiscoveredService.OtherAddresses"/>).
    /// </summary>
    public List<DiscoveredService> Complete()
    {
        var result = new List<DiscoveredService>();
        foreach (var i in _instances.Values)
        {
            if (i.Reported is not { } reported) continue;
            var others = i.Seen.Where(a => !a.Equals(reported.Address)).ToList();
            result.Add(others.Count == 0 ? reported : reported with { OtherAddresses = others });
        }
        result.Sort((x, y) => string.Compare(x.InstanceName, y.InstanceName, StringComparison.OrdinalIgnoreCase));
        return result;
    }

    /// <summary>The PTRs we hold with at least half their TTL left, with their remaining TTL: the known-answer list of our next query (§7.1).</summary>
    public List<DnsRecord> KnownAnswers(long now)
    {
        var known = new List<DnsRecord>();
        foreach (var i in _instances.Values)
        {
            if (i.Ptr is not { } ptr) continue;
            long left = (i.PtrExpires - now) / 1000;
            if (left * 2 >= ptr.Ttl) known.Add(new PtrRecord(typeName, (uint)left, i.Name));
        }
        return known;
    }

    private void QueueMissing(Instance i, long now)
    {
        if (i.Srv is null) Ask(i.Name, DnsRecordType.Srv, now);
        else if (!_a.TryGetValue(i.Srv.Target, out var list) || list.Count == 0) Ask(i.Srv.Target, DnsRecordType.A, now);
        if (i.Txt is null) Ask(i.Name, DnsRecordType.Txt, now);
    }

    private void Ask(DnsName name, DnsRecordType type, long now)
    {
        if (_asks.ContainsKey((name, type))) return;   // already queued, with its own back-off
        _asks[(name, type)] = (now, FirstRetryMs);
        _askQueue.Enqueue((name, type), now);
    }

    /// <summary>
    /// Follow-up questions due now for records the answers so far point at but did not carry (§5: resolve what was not in
    /// the first answer), at most <paramref name="max"/>. Each is asked at once, then again after 250 ms, 500 ms, 1 s … up
    /// to <paramref name="maxIntervalMs"/> while it stays missing; a question no longer missing is dropped.
    /// </summary>
    public List<DnsQuestion> DueQuestions(long now, int max, long maxIntervalMs)
    {
        var questions = new List<DnsQuestion>();
        while (questions.Count < max && _askQueue.TryPeek(out var key, out long at) && at <= now)
        {
            _askQueue.Dequeue();
            if (!_asks.TryGetValue(key, out var state) || state.Next != at) continue;
            if (!StillMissing(key.Item1, key.Item2))
            {
                _asks.Remove(key);
                continue;
            }
            questions.Add(new DnsQuestion(key.Item1, key.Item2));
            long interval = Math.Min(state.Interval * 2, maxIntervalMs);
            _asks[key] = (now + state.Interval, interval);
            _askQueue.Enqueue(key, now + state.Interval);
        }
        return questions;
    }

    /// <summary>When the next follow-up question is due (long.MaxValue: none queued).</summary>
    public long NextQuestionAt => _askQueue.TryPeek(out _, out long at) ? at : long.MaxValue;

    private bool StillMissing(DnsName name, DnsRecordType type)
    {
        if (type == DnsRecordType.A)
            return _instancesByHost.ContainsKey(name) && (!_a.TryGetValue(name, out var list) || list.Count == 0);
        if (!_instances.TryGetValue(name, out var i) || (i.Ptr is null && i.Srv is null && i.Txt is null)) return false;
        return type == DnsRecordType.Srv ? i.Srv is null : i.Txt is null;
    }
}
