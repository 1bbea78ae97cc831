using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// Listens passively to mDNS and tells when boards reboot after an upload: a board that has just written a new image resets
/// (a real one cannot send a goodbye first), boots, probes for its names and announces itself again. Open one watcher
/// <em>before</em> sending, call <see cref="Watch(string)"/> or <see cref="Watch(IPEndPoint)"/> per board, then
/// <see cref="RebootWatch.UploadFinished"/> and <see cref="RebootWatch.WaitAsync"/>. One socket serves any number of boards.
/// The watcher never sends anything.
/// </summary>
/// <remarks>
/// A board's answer heard after the upload finished counts as "back after a reboot" only when the board probed for its
/// names (RFC 6762 §8.1: a responder does that at every boot) or sent a goodbye since the upload finished. An answer alone
/// proves nothing: a board whose update failed keeps answering queries, and telling an unsolicited announcement from a
/// late answer by timing gave false successes on a busy network. A board whose responder never probes is therefore
/// reported as not back (a false failure, never a false success).
/// </remarks>
public sealed class RebootWatcher : IAsyncDisposable
{
    private readonly MdnsTransport _transport;
    private readonly Lock _lock = new();
    private readonly List<RebootWatch> _watches = [];
    private readonly Dictionary<string, List<RebootWatch>> _byLabel = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(IPAddress Address, int Port), List<RebootWatch>> _byEndPoint = [];
    private readonly Dictionary<IPAddress, List<RebootWatch>> _byAddress = [];
    private readonly Dictionary<string, IPAddress> _hostAddresses = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Opens the mDNS socket on <paramref name="networkInterface"/> (name or address; null: every multicast interface).</summary>
    /// <exception cref="MdnsException">The socket cannot be opened.</exception>
    public RebootWatcher(string? networkInterface)
    {
        _transport = new MdnsTransport(MdnsInterface.Resolve(networkInterface), OnPacket, MdnsInterest.Probes | MdnsInterest.Responses);
    }

    /// <summary>Watches the board advertised under <paramref name="name"/> (instance name or host name's first label).</summary>
    public RebootWatch Watch(string name) => Watch(name, null);

    /// <summary>Watches the board whose SRV port and A address are <paramref name="endPoint"/> (for uploads by address).</summary>
    public RebootWatch Watch(IPEndPoint endPoint) => Watch(null, endPoint);

    /// <summary>
    /// Watches the board advertised under <paramref name="name"/> or at <paramref name="endPoint"/> (either may be null, not
    /// both): a board whose new image advertises another name is still recognised by its address and port.
    /// </summary>
    public RebootWatch Watch(string? name, IPEndPoint? endPoint) => Watch(name, endPoint, anyPort: false);

    /// <summary>
    /// The same; with <paramref name="anyPort"/> the board is recognised by <paramref name="endPoint"/>'s address whatever
    /// port it advertises (an AmebaD board advertises 5000 and takes uploads on 8082).
    /// </summary>
    public RebootWatch Watch(string? name, IPEndPoint? endPoint, bool anyPort)
    {
        if (name is null && endPoint is null) throw new ArgumentException("give a name, an end point or both");
        return Add(new RebootWatch(name, endPoint, this) { AnyPort = anyPort });
    }

    private RebootWatch Add(RebootWatch watch)
    {
        lock (_lock)
        {
            _watches.Add(watch);
            if (watch.Name is { } name) IndexLabel(watch, name);
            if (watch.EndPoint is { } ep)
            {
                if (watch.AnyPort) Index(_byAddress, ep.Address, watch);
                else Index(_byEndPoint, (ep.Address, ep.Port), watch);
            }
        }
        return watch;
    }

    internal void Remove(RebootWatch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch);
            foreach (var label in watch.IndexedLabels)
                if (_byLabel.TryGetValue(label, out var list) && list.Remove(watch) && list.Count == 0) _byLabel.Remove(label);
            watch.IndexedLabels.Clear();
            if (watch.EndPoint is { } ep && _byEndPoint.TryGetValue((ep.Address, ep.Port), out var byEp) && byEp.Remove(watch) && byEp.Count == 0)
                _byEndPoint.Remove((ep.Address, ep.Port));
            if (watch.EndPoint is { } a && _byAddress.TryGetValue(a.Address, out var byAddress) && byAddress.Remove(watch) && byAddress.Count == 0)
                _byAddress.Remove(a.Address);
        }
    }

    private void IndexLabel(RebootWatch watch, string label)
    {
        if (watch.IndexedLabels.Contains(label, StringComparer.OrdinalIgnoreCase)) return;
        watch.IndexedLabels.Add(label);
        Index(_byLabel, label, watch);
    }

    private static void Index<TKey>(Dictionary<TKey, List<RebootWatch>> index, TKey key, RebootWatch watch) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        if (!list.Contains(watch)) list.Add(watch);
    }

    /// <summary>
    /// Hands a packet to the watches it can concern, found by label and address (a fleet of 1000 boards re-announcing at
    /// once costs a lookup per record, not a pass over every watch).
    /// </summary>
    private void OnPacket(MdnsPacket packet)
    {
        var message = packet.Message;
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (_watches.Count == 0) return;
            if (!message.IsResponse)
            {
                if (message.Authorities.Count == 0) return;
                // A probe (RFC 6762 §8.1): a board claiming its names, which it does right after a (re)boot.
                var claimed = Facts.From(message.Authorities, _hostAddresses);
                var asked = message.Questions.Select(q => q.Name).ToList();
                var labels = asked.Where(n => n.Labels.Count > 0).Select(n => n.Labels[0]);
                foreach (var w in Candidates(claimed, labels)) w.OnProbe(claimed, asked, now);
                return;
            }
            var records = message.Answers.Concat(message.Additionals).ToList();
            foreach (var a in records.OfType<ARecord>())
                if (a.Ttl > 0 && a.Name.Labels.Count > 0) _hostAddresses[a.Name.Labels[0]] = a.Address;
            var facts = Facts.From(records, _hostAddresses);
            foreach (var w in Candidates(facts, []))
            {
                w.OnResponse(facts, now);
                if (w.InstanceName is { } instance) IndexLabel(w, instance);
                if (w.HostLabel is { } host) IndexLabel(w, host);
            }
        }
    }

    private HashSet<RebootWatch> Candidates(Facts facts, IEnumerable<string> moreLabels)
    {
        var found = new HashSet<RebootWatch>(ReferenceEqualityComparer.Instance);
        foreach (var s in facts.Services)
        {
            Collect(s.Instance);
            Collect(s.Host);
            if (s.Address is not null && _byEndPoint.TryGetValue((s.Address, s.Port), out var byEp)) found.UnionWith(byEp);
            if (s.Address is not null && _byAddress.TryGetValue(s.Address, out var byAddress)) found.UnionWith(byAddress);
        }
        foreach (var h in facts.Hosts) Collect(h.Host);
        foreach (var label in moreLabels) Collect(label);
        return found;

        void Collect(string label)
        {
            if (_byLabel.TryGetValue(label, out var list)) found.UnionWith(list);
        }
    }

    /// <summary>Closes the socket; pending <see cref="RebootWatch.WaitAsync"/> calls end as not rebooted.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        List<RebootWatch> watches;
        lock (_lock) watches = [.. _watches];
        foreach (var w in watches) w.Abandon();
    }

    /// <summary>What one packet says about services: SRV records (instance, host, port, TTL) and host addresses.</summary>
    internal sealed record Facts(List<(string Instance, string Host, ushort Port, IPAddress? Address, uint Ttl)> Services, List<(string Host, IPAddress Address, uint Ttl)> Hosts)
    {
        public static Facts From(IEnumerable<DnsRecord> records, Dictionary<string, IPAddress> known)
        {
            var list = records.ToList();
            var hosts = list.OfType<ARecord>().Where(a => a.Name.Labels.Count > 0).Select(a => (a.Name.Labels[0], a.Address, a.Ttl)).ToList();
            var services = list.OfType<SrvRecord>().Where(s => s.Name.Labels.Count > 0 && s.Target.Labels.Count > 0).Select(s =>
            {
                string host = s.Target.Labels[0];
                var address = hosts.FirstOrDefault(h => DnsName.LabelEquals(h.Item1, host)).Address
                    ?? (known.TryGetValue(host, out var a) ? a : null);
                return (s.Name.Labels[0], host, s.Port, address, s.Ttl);
            }).ToList();
            return new Facts(services, hosts);
        }
    }
}
