using System.Net;
using System.Text;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Tests.Discovery;

public class DnsCodecTests
{
    private static readonly DnsName Type = DnsName.Parse("_arduino._tcp.local");

    private static DnsMessage FullResponse(string instance)
    {
        var inst = Type.Prepend(instance);
        var host = DnsName.Parse("myameba.local");
        return new DnsMessage
        {
            Header = DnsHeader.Response,
            Answers =
            [
                new PtrRecord(Type, 4500, inst),
                new SrvRecord(inst, 120, 0, 0, 5000, host),
                new TxtRecord(inst, 4500, [Encoding.UTF8.GetBytes("board=ameba_rtl8195a"), [(byte)'v', (byte)'=', 0x00, 0xFF, 0x80], new byte[255]]),
                new ARecord(host, 120, IPAddress.Parse("127.0.0.9")),
            ],
            Authorities = [new AaaaRecord(host, 120, IPAddress.IPv6Loopback, CacheFlush: false)],
            Additionals = [new NsecRecord(host, 120, host, [DnsRecordType.A, DnsRecordType.Aaaa, (DnsRecordType)300]), new UnknownRecord(host, 10, 99, [1, 2, 3])],
        };
    }

    [Fact]
    public void Every_record_type_round_trips_with_utf8_name_and_opaque_txt()
    {
        var message = FullResponse("My Ameba (ü) v1.0 ☃");
        var back = DnsMessage.Parse(message.ToArray());
        Assert.Equal(message.Answers, back.Answers);
        Assert.Equal(message.Authorities, back.Authorities);
        Assert.Equal(message.Additionals, back.Additionals);
        Assert.Equal("My Ameba (ü) v1.0 ☃", back.Answers[1].Name.Labels[0]);   // one label, dots and all (RFC 6763 §4.3)
        Assert.Equal(@"My Ameba (ü) v1\.0 ☃._arduino._tcp.local.", back.Answers[1].Name.ToString());
    }

    [Fact]
    public void Names_are_compressed_against_earlier_names()
    {
        var bytes = FullResponse("MyAmeba").ToArray();
        // "_arduino" appears once; every later use of the service type is a two-byte pointer.
        Assert.Equal(1, Count(bytes, Encoding.ASCII.GetBytes("_arduino")));
        Assert.Equal(1, Count(bytes, Encoding.ASCII.GetBytes("MyAmeba")));
    }

    [Fact]
    public void Compression_matches_names_case_insensitively_and_decoding_keeps_case()
    {
        var m = new DnsMessage
        {
            Header = DnsHeader.Query,
            Questions = [new(DnsName.Parse("A.Local"), DnsRecordType.A), new(DnsName.Parse("b.LOCAL"), DnsRecordType.A, UnicastResponse: true)],
        };
        var back = DnsMessage.Parse(m.ToArray());
        Assert.Equal(m.Questions, back.Questions);
        Assert.True(back.Questions[1].UnicastResponse);
        Assert.Equal(DnsClass.In, back.Questions[1].Class);
    }

    [Fact]
    public void Class_and_cache_flush_bit_are_separate_fields()
    {
        var a = new ARecord(DnsName.Parse("x.local"), 120, IPAddress.Loopback, CacheFlush: true);
        var bytes = new DnsMessage { Header = DnsHeader.Response, Answers = [a] }.ToArray();
        Assert.Equal(0x80, bytes[12 + 9 + 2]);   // class high byte: cache-flush bit
        Assert.Equal(0x01, bytes[12 + 9 + 3]);   // class IN
        var back = DnsMessage.Parse(bytes).Answers[0];
        Assert.True(back.CacheFlush);
        Assert.Equal(DnsClass.In, back.Class);
    }

    [Fact]
    public void Txt_of_300_bytes_in_several_strings_is_fine_but_one_string_over_255_is_refused()
    {
        var name = Type.Prepend("x");
        var ok = new TxtRecord(name, 1, [new byte[200], new byte[100]]);
        Assert.Equal(ok, DnsMessage.Parse(new DnsMessage { Header = DnsHeader.Response, Answers = [ok] }.ToArray()).Answers[0]);
        var tooLong = new TxtRecord(name, 1, [new byte[300]]);
        Assert.Throws<DnsFormatException>(() => new DnsMessage { Header = DnsHeader.Response, Answers = [tooLong] }.ToArray());
    }

    [Fact]
    public void Empty_txt_is_written_as_one_empty_string()
    {
        var txt = new TxtRecord(Type.Prepend("x"), 1, []);
        var back = Assert.IsType<TxtRecord>(DnsMessage.Parse(new DnsMessage { Header = DnsHeader.Response, Answers = [txt] }.ToArray()).Answers[0]);
        Assert.Equal([Array.Empty<byte>()], back.Strings);
        Assert.Empty(back.Pairs());
    }

    [Fact]
    public void Labels_over_63_bytes_and_names_over_255_are_refused()
    {
        Assert.Throws<DnsFormatException>(() => new DnsName(new string('a', 64)));
        Assert.Throws<DnsFormatException>(() => new DnsName(Enumerable.Repeat(new string('a', 60), 5).ToArray()));
        Assert.Throws<DnsFormatException>(() => new DnsName("ü" + new string('a', 62)));   // 64 bytes of UTF-8
    }

    [Fact]
    public void Writer_refuses_a_message_over_9000_bytes()
    {
        var name = Type.Prepend("x");
        var big = new DnsMessage { Header = DnsHeader.Response, Answers = Enumerable.Range(0, 40).Select(i => (DnsRecord)new TxtRecord(name, 1, [new byte[255]])).ToList() };
        Assert.Throws<DnsFormatException>(() => big.ToArray());
    }

    private static int Count(byte[] haystack, byte[] needle)
    {
        int n = 0;
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) n++;
        return n;
    }
}
