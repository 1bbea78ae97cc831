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
    private readonly Dictionary<string, IPAddress> _hostAddresses = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Opens the mDNS socket on <paramref name="networkInterface"/> (name or address; null: every multicast interface).</summary>
    /// <exception cref="MdnsException">The socket cannot be opened.</exception>
    public RebootWatcher(string? networkInterface)
    {
        _transport = new MdnsTransport(MdnsInterface.Resolve(networkInterface), OnPacketAsync);
    }

    /// <summary>Watches the board advertised under <paramref name="name"/> (instance name or host name's first label).</summary>
    public RebootWatch Watch(string name) => Watch(name, null);

    /// <summary>Watches the board whose SRV port and A address are <paramref name="endPoint"/> (for uploads by address).</summary>
    public RebootWatch Watch(IPEndPoint endPoint) => Watch(null, endPoint);

    /// <summary>
    /// Watches the board advertised under <paramref name="name"/> or at <paramref name="endPoint"/> (either may be null, not
    /// both): a board whose new image advertises another name is still recognised by its address and port.
    /// </summary>
    public RebootWatch Watch(string? name, IPEndPoint? endPoint)
    {
        if (name is null && endPoint is null) throw new ArgumentException("give a name, an end point or both");
        return Add(new RebootWatch(name, endPoint, this));
    }

    private RebootWatch Add(RebootWatch watch)
    {
        lock (_lock) _watches.Add(watch);
        return watch;
    }

    internal void Remove(RebootWatch watch)
    {
        lock (_lock) _watches.Remove(watch);
    }

    private ValueTask OnPacketAsync(MdnsPacket packet)
    {
        var message = packet.Message;
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (!message.IsResponse)
            {
                if (message.Authorities.Count > 0)
                {
                    // A probe (RFC 6762 §8.1): a board claiming its names, which it does right after a (re)boot.
                    var claimed = Facts.From(message.Authorities, _hostAddresses);
                    var asked = message.Questions.Select(q => q.Name).ToList();
                    foreach (var w in _watches) w.OnProbe(claimed, asked, now);
                }
                return ValueTask.CompletedTask;
            }
            var records = message.Answers.Concat(message.Additionals).ToList();
            foreach (var a in records.OfType<ARecord>())
                if (a.Ttl > 0) _hostAddresses[a.Name.Labels[0]] = a.Address;
            var facts = Facts.From(records, _hostAddresses);
            foreach (var w in _watches) w.OnResponse(facts, now);
        }
        return ValueTask.CompletedTask;
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
            var hosts = list.OfType<ARecord>().Select(a => (a.Name.Labels[0], a.Address, a.Ttl)).ToList();
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
