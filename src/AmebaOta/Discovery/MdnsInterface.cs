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
            var address = props.UnicastAddresses.Select(u => u.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
            return v4 is null || address is null ? null
                : new MdnsInterface(nic.Name, v4.Index, address, nic.NetworkInterfaceType == NetworkInterfaceType.Loopback, v4.Mtu > 0 ? v4.Mtu : 1500);
        }
        catch (NetworkInformationException)
        {
            return null;
        }
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
