namespace AmebaOta.Discovery.Dns;

/// <summary>A record of a type the codec does not decode: the data is kept as bytes (names inside it are not decompressed).</summary>
internal sealed record UnknownRecord(DnsName Name, uint Ttl, ushort RawType, byte[] Data, bool CacheFlush = false, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public override DnsRecordType Type => (DnsRecordType)RawType;

    public override bool SameData(DnsRecord other) => other is UnknownRecord u && u.RawType == RawType && u.Data.AsSpan().SequenceEqual(Data);

    public bool Equals(UnknownRecord? other) =>
        other is not null && Name == other.Name && Ttl == other.Ttl && CacheFlush == other.CacheFlush && Class == other.Class && SameData(other);

    public override int GetHashCode() => HashCode.Combine(Name, Ttl, RawType, Data.Length);

    protected override string DataText() => Convert.ToHexString(Data);
}
