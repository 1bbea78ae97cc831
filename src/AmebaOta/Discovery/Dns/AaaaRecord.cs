using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Discovery.Dns;

/// <summary>AAAA: host name → IPv6 address.</summary>
internal sealed record AaaaRecord(DnsName Name, uint Ttl, IPAddress Address, bool CacheFlush = true, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public IPAddress Address { get; init; } = Address.AddressFamily == AddressFamily.InterNetworkV6
        ? Address : throw new ArgumentException("an AAAA record holds an IPv6 address", nameof(Address));

    public override DnsRecordType Type => DnsRecordType.Aaaa;
    public override bool SameData(DnsRecord other) => other is AaaaRecord a && a.Address.Equals(Address);
    protected override string DataText() => Address.ToString();
}
