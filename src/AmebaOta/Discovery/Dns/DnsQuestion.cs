namespace AmebaOta.Discovery.Dns;

/// <summary>A question. <see cref="UnicastResponse"/> is the QU bit (RFC 6762 §5.4), the top bit of the class field on the wire.</summary>
internal sealed record DnsQuestion(DnsName Name, DnsRecordType Type, DnsClass Class = DnsClass.In, bool UnicastResponse = false)
{
    public override string ToString() => $"Q {Name} {Type}{(UnicastResponse ? " QU" : "")}";
}
