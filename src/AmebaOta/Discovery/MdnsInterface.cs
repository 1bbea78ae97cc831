using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AmebaOta.Discovery;

/// <summary>A network interface mDNS runs on: its IPv4 interface index (for IP_MULTICAST_IF and group membership) and an address of it.</summary>
public sealed record MdnsInterface(string Name, int Index, IPAddress Address, bool IsLoopback)
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
                : new MdnsInterface(nic.Name, v4.Index, address, nic.NetworkInterfaceType == NetworkInterfaceType.Loopback);
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Address})";
}
