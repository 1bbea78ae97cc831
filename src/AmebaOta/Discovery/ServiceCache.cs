using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// The browser's record cache for one service type: PTR, SRV, TXT and A records with their expiry. Goodbyes (TTL 0)
/// remove at once; the cache-flush bit replaces a host's addresses. Not thread-safe (the browser locks around it).
/// </summary>
internal sealed class ServiceCache(DnsName typeName)
{
    private readonly Dictionary<DnsName, long> _ptr = [];
    private readonly Dictionary<DnsName, (SrvRecord Record, long Expires)> _srv = [];
    private readonly Dictionary<DnsName, (TxtRecord Record, long Expires)> _txt = [];
    private readonly Dictionary<DnsName, List<(IPAddress Address, long Expires)>> _a = [];

    public DnsName TypeName => typeName;

    /// <summary>Takes in every record of a response; returns true when anything changed.</summary>
    public bool Add(DnsMessage response, long now)
    {
        bool changed = false;
        foreach (var record in response.AllRecords) changed |= Add(record, now);
        return changed;
    }

    private bool Add(DnsRecord record, long now)
    {
        long expires = now + record.Ttl * 1000L;
        switch (record)
        {
            case PtrRecord p when p.Name == typeName && IsInstanceOfType(p.Target):
                if (p.Ttl == 0) return _ptr.Remove(p.Target) | _srv.Remove(p.Target) | _txt.Remove(p.Target);
                bool isNew = !_ptr.ContainsKey(p.Target);
                _ptr[p.Target] = expires;
                return isNew;
            case SrvRecord s when IsInstanceOfType(s.Name):
                if (s.Ttl == 0) return _srv.Remove(s.Name);
                bool srvChanged = !_srv.TryGetValue(s.Name, out var old) || !old.Record.SameData(s);
                _srv[s.Name] = (s, expires);
                return srvChanged;
            case TxtRecord t when IsInstanceOfType(t.Name):
                if (t.Ttl == 0) return _txt.Remove(t.Name);
                bool txtChanged = !_txt.TryGetValue(t.Name, out var oldTxt) || !oldTxt.Record.SameData(t);
                _txt[t.Name] = (t, expires);
                return txtChanged;
            case ARecord a:
                if (!_a.TryGetValue(a.Name, out var list)) _a[a.Name] = list = [];
                int at = list.FindIndex(e => e.Address.Equals(a.Address));
                if (a.Ttl == 0) { if (at >= 0) list.RemoveAt(at); return at >= 0; }
                bool aChanged = at < 0;
                if (a.CacheFlush) { aChanged |= list.Count > (at < 0 ? 0 : 1); list.Clear(); }
                else if (at >= 0) list.RemoveAt(at);
                list.Add((a.Address, expires));
                return aChanged;
            default:
                return false;
        }
    }

    private bool IsInstanceOfType(DnsName name) => name.Labels.Count == typeName.Labels.Count + 1 && name.EndsWith(typeName);

    /// <summary>Drops expired records; true when anything went.</summary>
    public bool Expire(long now)
    {
        int removed = 0;
        foreach (var key in _ptr.Where(p => p.Value <= now).Select(p => p.Key).ToList()) removed += _ptr.Remove(key) ? 1 : 0;
        foreach (var key in _srv.Where(p => p.Value.Expires <= now).Select(p => p.Key).ToList()) removed += _srv.Remove(key) ? 1 : 0;
        foreach (var key in _txt.Where(p => p.Value.Expires <= now).Select(p => p.Key).ToList()) removed += _txt.Remove(key) ? 1 : 0;
        foreach (var list in _a.Values) removed += list.RemoveAll(e => e.Expires <= now);
        return removed > 0;
    }

    /// <summary>Every service with SRV, TXT and an address, sorted by instance name.</summary>
    public List<DiscoveredService> Complete()
    {
        var result = new List<DiscoveredService>();
        foreach (var (instance, (srv, _)) in _srv)
        {
            if (!_txt.TryGetValue(instance, out var txt)) continue;
            if (!_a.TryGetValue(srv.Target, out var addresses) || addresses.Count == 0) continue;
            result.Add(new DiscoveredService(
                instance.Labels[0],
                string.Join('.', typeName.Labels.Take(typeName.Labels.Count - 1)),
                srv.Target.ToString().TrimEnd('.'),
                addresses[^1].Address,
                srv.Port,
                txt.Record.Pairs()));
        }
        result.Sort((x, y) => string.Compare(x.InstanceName, y.InstanceName, StringComparison.OrdinalIgnoreCase));
        return result;
    }

    /// <summary>Questions still needed to complete what the PTRs and SRVs announced (§5: resolve what was not in the first answer).</summary>
    public List<DnsQuestion> Missing()
    {
        var questions = new List<DnsQuestion>();
        foreach (var instance in _ptr.Keys.Concat(_srv.Keys).Distinct())
        {
            if (!_srv.TryGetValue(instance, out var srv)) questions.Add(new DnsQuestion(instance, DnsRecordType.Srv));
            else if (!_a.TryGetValue(srv.Record.Target, out var list) || list.Count == 0) questions.Add(new DnsQuestion(srv.Record.Target, DnsRecordType.A));
            if (!_txt.ContainsKey(instance)) questions.Add(new DnsQuestion(instance, DnsRecordType.Txt));
        }
        return questions;
    }
}
