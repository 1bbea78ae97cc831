using System.Net;
using AmebaOta.Families;

namespace AmebaOta.Discovery;

/// <summary>A resolved DNS-SD service: instance, host (<c>MyAmeba.local</c>), address, port and TXT pairs.</summary>
public sealed record DiscoveredService(
    string InstanceName,
    string ServiceType,
    string Host,
    IPAddress Address,
    ushort Port,
    IReadOnlyList<KeyValuePair<string, string?>> Txt)
{
    /// <summary>
    /// Other addresses that answers gave this same instance name while it was browsed: a duplicate name, or an impostor
    /// that keeps it. Empty when one board answers for the name. Not part of equality.
    /// </summary>
    public IReadOnlyList<IPAddress> OtherAddresses { get; init; } = [];

    /// <summary>True when answers for this name came with more than one address.</summary>
    public bool Conflicting => OtherAddresses.Count > 0;

    /// <summary>Every address answers gave this name: <see cref="Address"/> first.</summary>
    public IReadOnlyList<IPAddress> AllAddresses => [Address, .. OtherAddresses];

    /// <summary>The TXT <c>board</c> value (<c>ameba_rtl8195a</c>), if any.</summary>
    public string? Board => Txt.FirstOrDefault(p => string.Equals(p.Key, "board", StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The family the TXT <c>board</c> value names (<c>ameba_rtl8721d</c> → AmebaD), or null (none, or unknown).</summary>
    public BoardFamily? Family => BoardFamilies.ForMdnsBoard(Board);

    /// <summary>Arduino IDE 1.8's port label (docs/reference section 5): <c>MyAmeba at 127.0.0.1 (Ameba RTL8195A)</c>.</summary>
    public string Label => $"{InstanceName} at {Address} ({BoardNames.DisplayName(Board)})";

    /// <summary>True when <paramref name="name"/> is this instance name or the first label of its host name (case-insensitive).</summary>
    public bool Matches(string name) =>
        string.Equals(InstanceName, name, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(Host.Split('.')[0], name, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public bool Equals(DiscoveredService? other) =>
        other is not null && InstanceName == other.InstanceName && ServiceType == other.ServiceType && Host == other.Host &&
        Address.Equals(other.Address) && Port == other.Port && Txt.SequenceEqual(other.Txt);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(InstanceName, Host, Address, Port);
}

/// <summary>A service appeared (resolved completely, or changed) or disappeared (goodbye or expiry), in watch mode.</summary>
public sealed record ServiceEvent(ServiceEventKind Kind, DiscoveredService Service);

/// <summary>What happened to a service in watch mode.</summary>
public enum ServiceEventKind
{
    /// <summary>Resolved completely, or changed.</summary>
    Appeared,
    /// <summary>Said goodbye, or its records expired.</summary>
    Disappeared,
}
