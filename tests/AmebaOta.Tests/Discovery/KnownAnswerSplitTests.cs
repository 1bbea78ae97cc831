using AmebaOta.Discovery.Dns;

namespace AmebaOta.Tests.Discovery;

/// <summary>RFC 6762 §7.2: a known-answer list too long for one packet goes over several, TC set on all but the last.</summary>
public class KnownAnswerSplitTests
{
    private static readonly DnsName Type = DnsName.Parse("_arduino._tcp.local");

    [Theory]
    [InlineData(1000, 1472)]   // Ethernet MTU
    [InlineData(1000, 9000)]   // RFC 6762 §17's ceiling (loopback)
    [InlineData(1, 1472)]
    [InlineData(0, 1472)]
    public void Every_known_answer_is_carried_once_in_order_within_the_size_with_tc_on_all_but_the_last(int count, int maxSize)
    {
        var known = Enumerable.Range(1, count).Select(i => (DnsRecord)new PtrRecord(Type, 4500, Type.Prepend($"MyAmeba-{i:0000}"))).ToList();
        var writer = new DnsWriter();
        var packets = new List<DnsMessage>();
        int next = 0;
        do
        {
            var bytes = writer.WriteQueryPart(packets.Count == 0 ? [new DnsQuestion(Type, DnsRecordType.Ptr)] : [], known, next, maxSize, out next);
            Assert.InRange(bytes.Length, 12, maxSize);
            packets.Add(DnsMessage.Parse(bytes));
        }
        while (next < known.Count);

        Assert.Single(packets[0].Questions);
        Assert.All(packets.Skip(1), p => Assert.Empty(p.Questions));
        Assert.All(packets.SkipLast(1), p => Assert.True(p.Header.IsTruncated));
        Assert.False(packets[^1].Header.IsTruncated);
        Assert.Equal(known, packets.SelectMany(p => p.Answers));
        if (count == 1000 && maxSize == 1472) Assert.InRange(packets.Count, 15, 30);
    }
}
