namespace AmebaOta.Discovery.Dns;

/// <summary>A whole DNS message: header, questions, answers, authority (probes put their proposed records here) and additional records.</summary>
internal sealed class DnsMessage
{
    public DnsHeader Header { get; init; }
    public List<DnsQuestion> Questions { get; init; } = [];
    public List<DnsRecord> Answers { get; init; } = [];
    public List<DnsRecord> Authorities { get; init; } = [];
    public List<DnsRecord> Additionals { get; init; } = [];

    public bool IsResponse => Header.IsResponse;

    /// <summary>Answers, then authority, then additional records.</summary>
    public IEnumerable<DnsRecord> AllRecords => Answers.Concat(Authorities).Concat(Additionals);

    public static DnsMessage Parse(ReadOnlySpan<byte> packet) => DnsReader.Read(packet);

    public byte[] ToArray()
    {
        var writer = new DnsWriter();
        return writer.Write(this).ToArray();
    }

    public override string ToString() =>
        string.Join("; ", Questions.Select(q => q.ToString()).Concat(AllRecords.Select(r => r.ToString())));
}
