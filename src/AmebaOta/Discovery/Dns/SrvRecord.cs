namespace AmebaOta.Discovery.Dns;

/// <summary>SRV: instance → host name and port.</summary>
internal sealed record SrvRecord(DnsName Name, uint Ttl, ushort Priority, ushort Weight, ushort Port, DnsName Target, bool CacheFlush = true, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public override DnsRecordType Type => DnsRecordType.Srv;
    public override bool SameData(DnsRecord other) =>
        other is SrvRecord s && s.Priority == Priority && s.Weight == Weight && s.Port == Port && s.Target == Target;
    protected override string DataText() => $"{Priority} {Weight} {Port} {Target}";
}
