using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Discovery.Dns;

/// <summary>A: host name → IPv4 address.</summary>
internal sealed record ARecord(DnsName Name, uint Ttl, IPAddress Address, bool CacheFlush = true, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public IPAddress Address { get; init; } = Address.AddressFamily == AddressFamily.InterNetwork
        ? Address : throw new ArgumentException("an A record holds an IPv4 address", nameof(Address));

    public override DnsRecordType Type => DnsRecordType.A;
    public override bool SameData(DnsRecord other) => other is ARecord a && a.Address.Equals(Address);
    protected override string DataText() => Address.ToString();
}
