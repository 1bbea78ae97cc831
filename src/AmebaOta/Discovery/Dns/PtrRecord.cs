namespace AmebaOta.Discovery.Dns;

/// <summary>PTR: service type → instance (DNS-SD browsing). Shared, so normally without the cache-flush bit.</summary>
internal sealed record PtrRecord(DnsName Name, uint Ttl, DnsName Target, bool CacheFlush = false, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public override DnsRecordType Type => DnsRecordType.Ptr;
    public override bool SameData(DnsRecord other) => other is PtrRecord p && p.Target == Target;
    protected override string DataText() => Target.ToString();
}
