namespace AmebaOta.Discovery.Dns;

/// <summary>The fixed 12-byte DNS header, minus the four counts (the message's lists carry those).</summary>
internal readonly record struct DnsHeader(ushort Id, ushort Flags)
{
    public const int Size = 12;
    private const ushort ResponseBit = 0x8000;
    private const ushort AuthoritativeBit = 0x0400;
    private const ushort TruncatedBit = 0x0200;

    /// <summary>TC: more known answers follow in further packets (RFC 6762 §7.2).</summary>
    public const ushort TruncatedFlag = TruncatedBit;

    /// <summary>An mDNS query (RFC 6762 §18: ID 0, all flags 0).</summary>
    public static DnsHeader Query => new(0, 0);

    /// <summary>An mDNS response (RFC 6762 §18: ID 0, QR and AA set).</summary>
    public static DnsHeader Response => new(0, ResponseBit | AuthoritativeBit);

    public bool IsResponse => (Flags & ResponseBit) != 0;
    public bool IsAuthoritative => (Flags & AuthoritativeBit) != 0;
    public bool IsTruncated => (Flags & TruncatedBit) != 0;
    public int Opcode => (Flags >> 11) & 0xF;
    public int ResponseCode => Flags & 0xF;
}
