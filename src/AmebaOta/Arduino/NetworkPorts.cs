using System.Globalization;
using AmebaOta.Discovery;

namespace AmebaOta.Arduino;

/// <summary>
/// The boards found by mDNS, as the IDE's <c>network</c> ports: keyed by address (the IDE keys a port by address and protocol),
/// with the label and properties arduino-cli's built-in mdns-discovery gives. Not thread-safe.
/// </summary>
internal sealed class NetworkPorts
{
    private readonly Dictionary<string, DiscoveredService> _services = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<DiscoveryPort> All =>
        [.. _services.Values.GroupBy(s => s.Address.ToString()).Select(g => ToPort(g.Last()))];

    /// <summary>A service appeared or changed: the port to add (or replace).</summary>
    public DiscoveryPort Appeared(DiscoveredService service)
    {
        _services[service.InstanceName] = service;
        return ToPort(service);
    }

    /// <summary>A service went away (goodbye or expiry): the port to remove, or the one still at its address (to re-add).</summary>
    public (DiscoveryPort? Removed, DiscoveryPort? StillThere) Disappeared(DiscoveredService service)
    {
        if (!_services.Remove(service.InstanceName)) return (null, null);
        var other = _services.Values.LastOrDefault(s => s.Address.Equals(service.Address));
        return other is null
            ? (new DiscoveryPort(service.Address.ToString(), null, "network", null, null), null)
            : (null, ToPort(other));
    }

    public void Clear() => _services.Clear();

    /// <summary>As mdns-discovery builds it: label "host at address", properties hostname, port, every TXT pair and "." = board.</summary>
    public static DiscoveryPort ToPort(DiscoveredService s)
    {
        string address = s.Address.ToString();
        var properties = new Dictionary<string, string>
        {
            ["hostname"] = s.Host.EndsWith('.') ? s.Host : s.Host + ".",
            ["port"] = s.Port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in s.Txt)
        {
            if (value is null) continue;   // mdns-discovery keeps only key=value pairs
            properties[key] = value;
            if (key == "board") properties["."] = value;
        }
        return new DiscoveryPort(address, $"{s.Host.Split('.')[0]} at {address}", "network", "Network Port", properties);
    }
}
