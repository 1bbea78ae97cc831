namespace AmebaOta.Discovery.Dns;

/// <summary>
/// A resource record. <see cref="CacheFlush"/> is the cache-flush bit (RFC 6762 §10.2), the top bit of the class field on
/// the wire, kept apart from <see cref="Class"/>. Equality compares name, type, class, flush bit, TTL and data.
/// </summary>
internal abstract record DnsRecord(DnsName Name, uint Ttl, bool CacheFlush, DnsClass Class)
{
    public abstract DnsRecordType Type { get; }

    /// <summary>The same record with another TTL (0 for a goodbye).</summary>
    public DnsRecord WithTtl(uint ttl) => this with { Ttl = ttl };

    /// <summary>True when the data (not name, TTL or flags) equals <paramref name="other"/>'s: same record set member.</summary>
    public abstract bool SameData(DnsRecord other);

    public override string ToString() => $"{Name} {Type} ttl={Ttl}{(CacheFlush ? " flush" : "")} {DataText()}";

    protected abstract string DataText();
}
