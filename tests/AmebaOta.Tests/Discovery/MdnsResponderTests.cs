using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Discovery;

/// <summary>The responder's wire behaviour, observed with raw sockets on loopback.</summary>
public class MdnsResponderTests
{
    private static readonly DnsName Type = DnsName.Parse("_arduino._tcp.local");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    private static bool HasAnswer(DnsMessage m, DnsName name, DnsRecordType type) =>
        m.IsResponse && m.Answers.Any(r => r.Name == name && r.Type == type);

    [Fact]
    public async Task Announces_every_record_with_cache_flush_on_unique_ones_and_sends_goodbyes_on_stop()
    {
        var name = UniqueName("Announce");
        var instance = Type.Prepend(name);
        using var listener = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        var responder = Responder();
        var announcement = listener.ReceiveAsync(m => HasAnswer(m, instance, DnsRecordType.Srv) && m.Answers[0].Ttl > 0, Wait);
        await responder.StartAsync(Board(name, 5001, "127.0.0.3"));
        var a = await announcement;
        Assert.NotNull(a);
        Assert.Equal(["PTR False 4500", "SRV True 120", "TXT True 4500", "A True 120"], a.Answers.Select(r => $"{r.Type.ToString().ToUpperInvariant()} {r.CacheFlush} {r.Ttl}"));
        Assert.Equal(IPAddress.Parse("127.0.0.3"), a.Answers.OfType<ARecord>().Single().Address);
        Assert.Equal(5001, a.Answers.OfType<SrvRecord>().Single().Port);
        Assert.Equal(["board=ameba_rtl8195a", "auth_upload=no", "tcp_check=no", "ssh_upload=no"],
            a.Answers.OfType<TxtRecord>().Single().Strings.Select(s => System.Text.Encoding.UTF8.GetString(s)));

        var goodbye = listener.ReceiveAsync(m => HasAnswer(m, instance, DnsRecordType.Srv) && m.Answers.All(r => r.Ttl == 0), Wait);
        await responder.StopAsync();
        Assert.NotNull(await goodbye);
    }

    [Fact]
    public async Task Qu_question_is_answered_by_unicast_to_the_queriers_port()
    {
        var name = UniqueName("Qu");
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        // Bound to 127.0.0.2:5353 and not in the group: this socket can only receive unicast sent to it.
        using var querier = new RawMdnsSocket(new IPEndPoint(IPAddress.Parse("127.0.0.2"), MdnsTransport.Port));
        var reply = querier.ReceiveAsync(m => HasAnswer(m, Type.Prepend(name), DnsRecordType.Srv), Wait);
        querier.Send(new DnsMessage { Header = DnsHeader.Query, Questions = [new(Type.Prepend(name), DnsRecordType.Srv, UnicastResponse: true)] });
        var m = await reply;
        Assert.NotNull(m);
        Assert.Contains(m.Additionals, r => r is ARecord);
    }

    [Fact]
    public async Task Legacy_query_from_another_port_gets_a_unicast_reply_with_id_question_and_short_ttl()
    {
        var name = UniqueName("Legacy");
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        using var querier = new RawMdnsSocket(new IPEndPoint(IPAddress.Loopback, 0));
        var reply = querier.ReceiveAsync(m => m.IsResponse, Wait);
        querier.Send(new DnsMessage { Header = new DnsHeader(0x1234, 0), Questions = [new(new DnsName(name, "local"), DnsRecordType.A)] });
        var m = await reply;
        Assert.NotNull(m);
        Assert.Equal(0x1234, m.Header.Id);
        Assert.Single(m.Questions);
        var a = Assert.IsType<ARecord>(Assert.Single(m.Answers));
        Assert.Equal(10u, a.Ttl);
        Assert.False(a.CacheFlush);
    }

    [Fact]
    public async Task Ptr_query_is_answered_with_srv_txt_a_as_additional_records_and_known_answers_suppress_it()
    {
        var name = UniqueName("Ptr");
        var instance = Type.Prepend(name);
        await using var responder = Responder();
        await responder.StartAsync(Board(name, 5002));
        using var querier = new RawMdnsSocket(new IPEndPoint(IPAddress.Loopback, 0));
        var reply = querier.ReceiveAsync(m => m.Answers.OfType<PtrRecord>().Any(p => p.Target == instance), Wait);
        querier.Send(new DnsMessage { Header = DnsHeader.Query, Questions = [new(Type, DnsRecordType.Ptr)] });
        var m = await reply;
        Assert.NotNull(m);
        Assert.Contains(m.Additionals, r => r is SrvRecord { Port: 5002 });
        Assert.Contains(m.Additionals, r => r is TxtRecord);
        Assert.Contains(m.Additionals, r => r is ARecord);

        // Same query carrying our PTR as a known answer with a fresh TTL: no answer (RFC 6762 §7.1).
        var suppressed = querier.ReceiveAsync(m => m.Answers.OfType<PtrRecord>().Any(p => p.Target == instance), TimeSpan.FromMilliseconds(500));
        querier.Send(new DnsMessage { Header = DnsHeader.Query, Questions = [new(Type, DnsRecordType.Ptr)], Answers = [new PtrRecord(Type, 4500, instance)] });
        Assert.Null(await suppressed);
    }

    [Fact]
    public async Task Aaaa_query_for_the_host_gets_an_nsec_saying_only_a_exists()
    {
        var name = UniqueName("Nsec");
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        using var querier = new RawMdnsSocket(new IPEndPoint(IPAddress.Loopback, 0));
        var reply = querier.ReceiveAsync(m => m.IsResponse, Wait);
        querier.Send(new DnsMessage { Header = DnsHeader.Query, Questions = [new(new DnsName(name, "local"), DnsRecordType.Aaaa)] });
        var nsec = Assert.IsType<NsecRecord>(Assert.Single((await reply)!.Answers));
        Assert.Equal([DnsRecordType.A], nsec.Types);
    }

    [Fact]
    public async Task Malformed_packets_are_dropped_and_the_responder_keeps_answering()
    {
        var name = UniqueName("Robust");
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        using var attacker = new RawMdnsSocket(new IPEndPoint(IPAddress.Loopback, 0));
        attacker.Send([0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);                 // absurd counts
        attacker.Send([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]);                   // compression loop
        var truncated = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mdns-zeroconf", "edge_truncated.bin"));
        truncated[2] &= 0x7F;   // as a query: an announced responder reads queries only (responses are not even parsed for it)
        attacker.Send(truncated);
        var found = await BoardResolver.ResolveAsync(name, Lo, Wait);
        Assert.NotNull(found);
        Assert.True(responder.MalformedPackets >= 3, $"{responder.MalformedPackets} malformed packets counted");
    }

    [Fact]
    public async Task Two_responders_with_one_name_both_stay_findable_the_second_as_name_2()
    {
        var name = UniqueName("Twin");
        await using var first = Responder();
        await using var second = Responder();
        Assert.Equal(name, await first.StartAsync(Board(name, 5000, "127.0.0.10")));
        Assert.Equal($"{name} (2)", await second.StartAsync(Board(name, 5000, "127.0.0.11")));
        Assert.Equal($"{name}-2", second.ClaimedHostName);

        var one = await BoardResolver.ResolveAsync(name, Lo, Wait);
        var two = await BoardResolver.ResolveAsync($"{name} (2)", Lo, Wait);
        Assert.Equal(IPAddress.Parse("127.0.0.10"), one?.Address);
        Assert.Equal(IPAddress.Parse("127.0.0.11"), two?.Address);
        Assert.Equal($"{name}-2.local", two?.Host);
    }

    [Fact]
    public async Task Two_responders_probing_one_name_at_the_same_time_end_with_two_names()
    {
        var name = UniqueName("Race");
        await using var first = Responder();
        await using var second = Responder();
        var names = await Task.WhenAll(first.StartAsync(Board(name, 5000, "127.0.0.20")), second.StartAsync(Board(name, 5000, "127.0.0.21")));
        Assert.Equal([name, $"{name} (2)"], names.Order());
    }

    [Fact]
    public async Task Many_boards_in_one_process_each_with_its_own_address_are_all_found()
    {
        var prefix = UniqueName("Fleet");
        var responders = Enumerable.Range(0, 5).Select(_ => Responder()).ToList();
        try
        {
            await Task.WhenAll(responders.Select((r, i) => r.StartAsync(Board($"{prefix}-{i}", (ushort)(6000 + i), $"127.0.0.{30 + i}"))));
            // Two seconds: each board announced just now, and RFC 6762 §6 forbids multicasting a record again within a second,
            // so the answers to our first query come one second after the announcements (or the second announcement does).
            var all = await new MdnsBrowser(new MdnsBrowserOptions { Interface = Lo }).BrowseAsync(TimeSpan.FromSeconds(2));
            var ours = all.Where(s => s.InstanceName.StartsWith(prefix)).OrderBy(s => s.InstanceName).ToList();
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{prefix}-{i} 127.0.0.{30 + i}:{6000 + i}"), ours.Select(s => $"{s.InstanceName} {s.Address}:{s.Port}"));
        }
        finally
        {
            foreach (var r in responders) await r.DisposeAsync();
        }
    }

    [Fact]
    public async Task Restarting_re_probes_and_re_announces_under_the_same_name()
    {
        var name = UniqueName("Reboot");
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        await responder.StopAsync();
        Assert.Equal(name, await responder.StartAsync(Board(name)));
        Assert.NotNull(await BoardResolver.ResolveAsync(name, Lo, Wait));
    }
}
