namespace AmebaOta.Discovery.Dns;

/// <summary>NSEC as mDNS uses it (RFC 6762 §6.1): "this name has only these types" — a negative answer for the others.</summary>
internal sealed record NsecRecord(DnsName Name, uint Ttl, DnsName NextName, IReadOnlyList<DnsRecordType> Types, bool CacheFlush = true, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public override DnsRecordType Type => DnsRecordType.Nsec;

    public override bool SameData(DnsRecord other) =>
        other is NsecRecord n && n.NextName == NextName && n.Types.Order().SequenceEqual(Types.Order());

    public bool Equals(NsecRecord? other) =>
        other is not null && Name == other.Name && Ttl == other.Ttl && CacheFlush == other.CacheFlush && Class == other.Class && SameData(other);

    public override int GetHashCode() => HashCode.Combine(Name, Ttl, CacheFlush, Class, NextName);

    protected override string DataText() => $"{NextName} {string.Join(' ', Types)}";
}
