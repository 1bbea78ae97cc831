using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AmebaOta.Discovery;

/// <summary>
/// A network interface mDNS runs on: its IPv4 interface index (for group membership), an IPv4 address of it (chooses it
/// for sending, IP_MULTICAST_IF, and is the packets' source) and its MTU (how big a packet may be).
/// </summary>
public sealed record MdnsInterface(string Name, int Index, IPAddress Address, bool IsLoopback, int Mtu = 1500)
{
    /// <summary>The IPv4 networks of this interface's addresses (<c>127.0.0.0/8</c> on <c>lo</c>): the hosts reached directly through it.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; init; } = [];

    /// <summary>
    /// True when <paramref name="address"/> lies in one of this interface's networks (any 127.x.y.z on loopback): a board
    /// heard here that advertises another address cannot be reached through this interface.
    /// </summary>
    public bool Holds(IPAddress address) =>
        (IsLoopback && IPAddress.IsLoopback(address)) || Networks.Any(n => n.Contains(address)) || address.Equals(Address);

    /// <summary>
    /// Interfaces for a user's <c>--interface</c>: null or empty (or <c>all</c>) means every interface that is up, multicast-capable
    /// and has IPv4, loopback excluded unless it is the only one; a name (<c>lo</c>, <c>eth0</c>); or an address of an
    /// interface (<c>127.0.0.1</c>; any 127.x.y.z means loopback).
    /// </summary>
    public static IReadOnlyList<MdnsInterface> Resolve(string? spec)
    {
        var all = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown && n.SupportsMulticast)
            .Select(From)
            .OfType<MdnsInterface>()
            .ToList();
        if (string.IsNullOrWhiteSpace(spec) || spec.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            var real = all.Where(i => !i.IsLoopback).ToList();
            return real.Count > 0 ? real : all.Count > 0 ? all : throw new MdnsException("no multicast-capable IPv4 interface is up");
        }
        if (IPAddress.TryParse(spec, out var address))
        {
            var byAddress = all.FirstOrDefault(i => i.Address.Equals(address))
                ?? (IPAddress.IsLoopback(address) ? all.FirstOrDefault(i => i.IsLoopback) : null)
                ?? throw new MdnsException($"no multicast-capable interface has address {spec}");
            return [byAddress];
        }
        return [all.FirstOrDefault(i => i.Name == spec) ?? throw new MdnsException(
            $"no multicast-capable IPv4 interface named '{spec}' is up (have: {string.Join(", ", all.Select(i => i.Name))})")];
    }

    private static MdnsInterface? From(NetworkInterface nic)
    {
        try
        {
            var props = nic.GetIPProperties();
            var v4 = props.GetIPv4Properties();
            var unicast = props.UnicastAddresses.Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork).ToList();
            if (v4 is null || unicast.Count == 0) return null;
            var networks = unicast.Select(u => new IPNetwork(Masked(u.Address, u.PrefixLength), u.PrefixLength)).Distinct().ToList();
            return new MdnsInterface(nic.Name, v4.Index, unicast[0].Address, nic.NetworkInterfaceType == NetworkInterfaceType.Loopback, v4.Mtu > 0 ? v4.Mtu : 1500)
                { Networks = networks };
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (int bit = prefix; bit < 32; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPAddress(bytes);
    }

    /// <summary>
    /// The source address for a packet a responder advertising <paramref name="preferred"/> sends here: that address when it
    /// is this interface's (on loopback, any 127.x.y.z is: each virtual board of a farm sends from its own), else the interface's.
    /// </summary>
    public IPAddress SourceFor(IPAddress? preferred) =>
        preferred is not null && (preferred.Equals(Address) || (IsLoopback && IPAddress.IsLoopback(preferred) && preferred.AddressFamily == AddressFamily.InterNetwork))
            ? preferred : Address;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Address})";
}
