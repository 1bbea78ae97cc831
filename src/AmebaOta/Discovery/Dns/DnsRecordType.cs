namespace AmebaOta.Discovery.Dns;

/// <summary>The record types the codec understands; any other type is kept as <see cref="UnknownRecord"/>.</summary>
internal enum DnsRecordType : ushort
{
    A = 1,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Nsec = 47,
    Any = 255,
}

/// <summary>DNS classes (the 15 low bits of the class field; the top bit is the QU or cache-flush bit, kept separately).</summary>
internal enum DnsClass : ushort
{
    In = 1,
    Any = 255,
}
