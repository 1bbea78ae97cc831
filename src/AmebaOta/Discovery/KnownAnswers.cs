using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// A query's known-answer list (RFC 6762 §7.1) indexed so that a responder checks its few records in constant time, however
/// many answers the querier already holds (a browser that knows 1000 boards sends 1000 PTRs; every board looks for its own).
/// </summary>
internal sealed class KnownAnswers
{
    private readonly Dictionary<(DnsName Name, DnsRecordType Type), List<DnsRecord>> _byNameAndType = [];
    private readonly Dictionary<(DnsName Name, DnsName Target), PtrRecord> _ptrs = [];

    public KnownAnswers(IReadOnlyList<DnsRecord> answers)
    {
        foreach (var r in answers)
        {
            if (r is PtrRecord p)
            {
                if (!_ptrs.TryGetValue((p.Name, p.Target), out var old) || old.Ttl < p.Ttl) _ptrs[(p.Name, p.Target)] = p;
                continue;
            }
            if (!_byNameAndType.TryGetValue((r.Name, r.Type), out var list)) _byNameAndType[(r.Name, r.Type)] = list = [];
            list.Add(r);
        }
    }

    public bool IsEmpty => _ptrs.Count == 0 && _byNameAndType.Count == 0;

    /// <summary>True when the querier holds <paramref name="ours"/> (same name, type and data) with at least half its true TTL left.</summary>
    public bool Suppresses(DnsRecord ours)
    {
        if (ours is PtrRecord p)
            return _ptrs.TryGetValue((p.Name, p.Target), out var known) && known.Ttl >= ours.Ttl / 2;
        if (!_byNameAndType.TryGetValue((ours.Name, ours.Type), out var list)) return false;
        foreach (var k in list)
            if (k.SameData(ours) && k.Ttl >= ours.Ttl / 2) return true;
        return false;
    }
}
