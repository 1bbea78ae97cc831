using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// Listens passively to mDNS and tells when boards reboot after an upload: a board that has just written a new image resets
/// (a real one cannot send a goodbye first), boots, probes for its names and announces itself again. Open one watcher
/// <em>before</em> sending, call <see cref="Watch(string)"/> or <see cref="Watch(IPEndPoint)"/> per board, then
/// <see cref="RebootWatch.UploadFinished"/> and <see cref="RebootWatch.WaitAsync"/>. One socket serves any number of boards.
/// The watcher never sends anything, so every answer it hears was asked for by someone else or was unsolicited.
/// </summary>
/// <remarks>
/// A board's answer heard after the upload finished counts as "back after a reboot" when it followed a probe for the board's
/// names, a goodbye from the board, or no query at all in the preceding <see cref="QueryQuietWindow"/> (so it was an
/// announcement, not an answer given by a board that never went down). An unsolicited announcement is not enough on its
/// own when the board was heard at all within <see cref="AnnouncementTrain"/> before the upload finished: it may then be
/// still repeating its previous boot's announcements (RFC 6762 §8.3). A board that booted just before the watcher opened
/// and never probes could still be mistaken this way; boards that probe (the stock Ameba responder and the virtual board
/// do) cannot.
/// </remarks>
public sealed class RebootWatcher : IAsyncDisposable
{
    /// <summary>An answer is taken for an unsolicited announcement only when no query was heard this long before it.</summary>
    public static readonly TimeSpan QueryQuietWindow = TimeSpan.FromSeconds(1);

    /// <summary>How long after a board was last heard it may still be repeating its boot announcements.</summary>
    public static readonly TimeSpan AnnouncementTrain = TimeSpan.FromSeconds(5);

    private readonly MdnsTransport _transport;
    private readonly Lock _lock = new();
    private readonly List<RebootWatch> _watches = [];
    private readonly Dictionary<string, IPAddress> _hostAddresses = new(StringComparer.OrdinalIgnoreCase);
    private long _lastQueryAt;

    /// <summary>Opens the mDNS socket on <paramref name="networkInterface"/> (name or address; null: every multicast interface).</summary>
    /// <exception cref="MdnsException">The socket cannot be opened.</exception>
    public RebootWatcher(string? networkInterface) : this(networkInterface, assumeRecentQuery: true)
    {
    }

    internal RebootWatcher(string? networkInterface, bool assumeRecentQuery)
    {
        // What was asked before we listened is unknown: treat the first window as if a query had just been made, so a
        // late answer to it (shared answers wait 20–120 ms) is not taken for an announcement.
        _lastQueryAt = assumeRecentQuery ? Environment.TickCount64 : long.MinValue / 2;
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
                else
                {
                    _lastQueryAt = now;
                }
                return ValueTask.CompletedTask;
            }
            var records = message.Answers.Concat(message.Additionals).ToList();
            foreach (var a in records.OfType<ARecord>())
                if (a.Ttl > 0) _hostAddresses[a.Name.Labels[0]] = a.Address;
            var facts = Facts.From(records, _hostAddresses);
            bool solicited = now - _lastQueryAt < QueryQuietWindow.TotalMilliseconds;
            foreach (var w in _watches) w.OnResponse(facts, solicited, now);
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
