using AmebaOta.Discovery.Dns;

namespace AmebaOta.Tests.Discovery;

/// <summary>Real packets from python3-zeroconf 0.47.3 (Fixtures/mdns-zeroconf, its README is the table checked here).</summary>
public class DnsFixtureTests
{
    private static byte[] Fixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mdns-zeroconf", name));

    /// <summary>One line per question (<c>Q name type=N qu=B</c>) and record (<c>name type=N flush=B ttl=T</c>), as the README writes them.</summary>
    private static string[] Describe(DnsMessage m) =>
        m.Questions.Select(q => $"Q {q.Name} type={(int)q.Type} qu={q.UnicastResponse}")
            .Concat(m.AllRecords.Select(r => $"{r.Name} type={(int)r.Type} flush={r.CacheFlush} ttl={r.Ttl}"))
            .ToArray();

    private const string Ptr4500 = "_arduino._tcp.local. type=12 flush=False ttl=4500";

    public static TheoryData<string, int, bool, string[]> Table => new()
    {
        { "built_query_qu.bin", 51, false, ["Q _arduino._tcp.local. type=12 qu=True", "Q MyAmeba._arduino._tcp.local. type=33 qu=False"] },
        { "built_response_flush.bin", 139, true, [Ptr4500, "PyBoard._arduino._tcp.local. type=33 flush=True ttl=120", "PyBoard._arduino._tcp.local. type=16 flush=True ttl=4500", "pyboard.local. type=1 flush=True ttl=120"] },
        { "edge_goodbye.bin", 53, true, ["_arduino._tcp.local. type=12 flush=False ttl=0"] },
        { "edge_response.bin", 126, true, [Ptr4500, "My Ameba (ü) v1.0._arduino._tcp.local. type=16 flush=True ttl=4500", "bin._arduino._tcp.local. type=16 flush=True ttl=4500", "myameba.local. type=47 flush=True ttl=120"] },
        { "live_00.bin", 59, false, ["Q _arduino._tcp.local. type=12 qu=True", Ptr4500] },
        { "live_03.bin", 139, true, [Ptr4500, "PyBoard._arduino._tcp.local. type=33 flush=True ttl=120", "PyBoard._arduino._tcp.local. type=16 flush=True ttl=4500", "pyboard.local. type=1 flush=True ttl=120"] },
        { "live_07.bin", 59, false, ["Q _arduino._tcp.local. type=12 qu=False", "_arduino._tcp.local. type=12 flush=False ttl=4498"] },
        { "live_08.bin", 139, true, ["_arduino._tcp.local. type=12 flush=False ttl=0", "PyBoard._arduino._tcp.local. type=33 flush=True ttl=0", "PyBoard._arduino._tcp.local. type=16 flush=True ttl=0", "pyboard.local. type=1 flush=True ttl=0"] },
        { "live_09.bin", 37, false, ["Q _arduino._tcp.local. type=12 qu=False"] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Fixture_parses_to_exactly_what_zeroconf_decoded(string file, int bytes, bool response, string[] expected)
    {
        var packet = Fixture(file);
        Assert.Equal(bytes, packet.Length);
        var message = DnsMessage.Parse(packet);
        Assert.Equal(response, message.IsResponse);
        Assert.Equal(expected, Describe(message));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Fixture_round_trips_through_our_writer_to_the_same_records(string file, int bytes, bool response, string[] expected)
    {
        _ = (bytes, response, expected);
        var first = DnsMessage.Parse(Fixture(file));
        var again = DnsMessage.Parse(first.ToArray());
        Assert.Equal(first.Header, again.Header);
        Assert.Equal(first.Questions, again.Questions);
        Assert.Equal(first.Answers, again.Answers);
        Assert.Equal(first.Authorities, again.Authorities);
        Assert.Equal(first.Additionals, again.Additionals);
    }

    [Fact]
    public void Truncated_fixture_is_rejected_cleanly()
    {
        var packet = Fixture("edge_truncated.bin");
        Assert.Equal(40, packet.Length);
        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(packet));
    }

    [Fact]
    public void Response_data_decodes_srv_txt_a_and_nsec()
    {
        var m = DnsMessage.Parse(Fixture("built_response_flush.bin"));
        var ptr = Assert.IsType<PtrRecord>(m.Answers[0]);
        Assert.Equal("PyBoard._arduino._tcp.local.", ptr.Target.ToString());
        var srv = Assert.IsType<SrvRecord>(m.AllRecords.Single(r => r.Type == DnsRecordType.Srv));
        Assert.Equal("pyboard.local.", srv.Target.ToString());
        var txt = Assert.IsType<TxtRecord>(m.AllRecords.Single(r => r.Type == DnsRecordType.Txt));
        Assert.Equal([[.. "board=esp8266"u8], [.. "auth_upload=yes"u8]], txt.Strings);
        Assert.Equal("esp8266", txt.Get("board"));
        Assert.Equal(8266, srv.Port);
        Assert.Equal(System.Net.IPAddress.Loopback, Assert.IsType<ARecord>(m.AllRecords.Single(r => r.Type == DnsRecordType.A)).Address);

        var edge = DnsMessage.Parse(Fixture("edge_response.bin"));
        var utf8 = edge.AllRecords.ElementAt(1);
        Assert.Equal("My Ameba (ü) v1.0", string.Join('.', utf8.Name.Labels.Take(2)));
        var opaque = Assert.IsType<TxtRecord>(edge.AllRecords.ElementAt(2));
        Assert.Equal(new byte[] { (byte)'k', (byte)'=', 0xFF, 0x00, 0x01 }, opaque.Strings.Single());   // opaque: not UTF-8, holds a NUL
        var nsec = Assert.IsType<NsecRecord>(edge.AllRecords.ElementAt(3));
        Assert.Equal("myameba.local.", nsec.NextName.ToString());
        Assert.Equal([DnsRecordType.A], nsec.Types);
    }
}
