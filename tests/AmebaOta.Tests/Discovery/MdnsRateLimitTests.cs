using System.Diagnostics;
using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Discovery;

/// <summary>RFC 6762 §6 (one multicast per record per second, probes excepted) and §7.2 (truncated known-answer lists), on the wire.</summary>
public class MdnsRateLimitTests
{
    private static readonly DnsName Type = DnsName.Parse("_arduino._tcp.local");

    private static bool OnlyAnswer<T>(DnsMessage m, DnsName owner) where T : DnsRecord =>
        m.IsResponse && m.Answers.Count == 1 && m.Answers[0] is T && (m.Answers[0].Name == owner || m.Answers[0] is PtrRecord p && p.Target == owner);

    [Fact]
    public async Task A_flood_of_1200_txt_queries_draws_at_most_one_answer_a_second_not_1200()
    {
        var name = UniqueName("Flood");
        var instance = Type.Prepend(name);
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        // A querier on port 5353 asking QM: every answer would be multicast.
        using var querier = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        // Every multicast that carries the board's TXT counts, whether alone or in a packet with other answers (its second
        // announcement, or answers folded together for other queriers on this shared loopback).
        var answers = querier.CollectAsync(m => m.IsResponse && m.Answers.Any(r => r is TxtRecord && r.Name == instance), TimeSpan.FromSeconds(3));
        var query = new DnsMessage { Header = DnsHeader.Query, Questions = [new(instance, DnsRecordType.Txt)] }.ToArray();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 1200; i++)
        {
            querier.Send(query);
            if (i % 40 == 39) await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, i * 1.25 - clock.ElapsedMilliseconds)));   // spread over ~1.5 s
        }
        var got = await answers;
        // The first answer waits for the announcement's second to pass; then at most one a second: in a 3 s window at most
        // 4 multicasts of the record (one at each edge), where 1,200 queries used to draw 1,200.
        Assert.InRange(got.Count, 1, 4);
        Assert.True(responder.DeferredAnswers > 0);
    }

    [Fact]
    public async Task A_probe_is_answered_at_once_even_right_after_the_records_were_multicast()
    {
        var name = UniqueName("ProbeAns");
        var instance = Type.Prepend(name);
        await using var responder = Responder();
        await responder.StartAsync(Board(name, 5000, "127.0.0.40"));   // just announced: ordinary answers must wait a second
        using var rival = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        var defence = rival.ReceiveAsync(m => m.IsResponse && m.Answers.Any(r => r is SrvRecord s && s.Name == instance) && !m.Answers.Any(r => r is PtrRecord), TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        rival.Send(new DnsMessage
        {
            Header = DnsHeader.Query,
            Questions = [new(instance, DnsRecordType.Any)],
            Authorities = [new SrvRecord(instance, 120, 0, 0, 5999, new DnsName("Rival", "local"), CacheFlush: false)],
        });
        // Held back by the one-second rule, the answer would be due with the second announcement, which would answer it
        // instead (a packet with the PTR too): so any PTR-less answer at all is the probe exception at work.
        Assert.NotNull(await defence);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"probe answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_truncated_query_waits_for_its_known_answers_and_only_boards_not_listed_answer()
    {
        // A service type of its own: no other test's browser asks for it, so every PTR answer heard is to our query.
        string serviceType = $"_tc{Guid.NewGuid().ToString("n")[..8]}._tcp";
        var type = DnsName.Parse($"{serviceType}.local");
        var listedName = UniqueName("Listed");
        var unlistedName = UniqueName("Unlisted");
        var options = new MdnsResponderOptions { Interface = Lo, AnnouncementCount = 1 };
        await using var listed = new MdnsResponder(options);
        await using var unlisted = new MdnsResponder(options);
        await Task.WhenAll(
            listed.StartAsync(Board(listedName) with { ServiceType = serviceType }),
            unlisted.StartAsync(Board(unlistedName) with { ServiceType = serviceType }));
        var listedInstance = type.Prepend(listedName);
        var unlistedInstance = type.Prepend(unlistedName);

        using var querier = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        // One reader for both (two concurrent reads on one socket would each get only some of the packets).
        var answers = querier.CollectAsync(m => OnlyAnswer<PtrRecord>(m, unlistedInstance) || OnlyAnswer<PtrRecord>(m, listedInstance), TimeSpan.FromSeconds(3));
        var writer = new DnsWriter();
        var known = new List<DnsRecord> { new PtrRecord(type, 4500, listedInstance) };
        // The question with TC and no known answers, then the known answers alone (RFC 6762 §7.2). Without the wait for
        // the second packet, the listed board would answer the first.
        querier.Send(writer.WriteQueryPart([new DnsQuestion(type, DnsRecordType.Ptr)], known, 0, 12 + 40, out int next));
        Assert.Equal(0, next);
        querier.Send(writer.WriteQueryPart([], known, 0, 1472, out next));
        Assert.Equal(1, next);

        var heard = await answers;
        Assert.Contains(heard, m => OnlyAnswer<PtrRecord>(m, unlistedInstance));
        Assert.DoesNotContain(heard, m => OnlyAnswer<PtrRecord>(m, listedInstance));
    }

    [Fact]
    public async Task The_browser_repeats_its_query_with_the_boards_it_knows_as_known_answers()
    {
        var name = UniqueName("Known");
        var instance = Type.Prepend(name);
        await using var responder = Responder();
        await responder.StartAsync(Board(name));
        using var listener = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        var repeat = listener.ReceiveAsync(m => !m.IsResponse && m.Questions.Any(q => q.Name == Type) &&
            m.Answers.OfType<PtrRecord>().Any(p => p.Target == instance), TimeSpan.FromSeconds(5));
        var browse = new MdnsBrowser(new MdnsBrowserOptions { Interface = Lo }).BrowseAsync(TimeSpan.FromSeconds(3.5));
        var query = await repeat;
        Assert.NotNull(query);
        var ptr = query.Answers.OfType<PtrRecord>().Single(p => p.Target == instance);
        Assert.InRange(ptr.Ttl, ServiceRecords.OtherTtl / 2, ServiceRecords.OtherTtl);
        Assert.Contains(await browse, s => s.InstanceName == name);
    }

    [Fact]
    public async Task Resolving_a_board_that_just_announced_does_not_wait_out_the_one_second_rule()
    {
        var name = UniqueName("Fresh");
        await using var responder = new MdnsResponder(new MdnsResponderOptions { Interface = Lo, AnnouncementCount = 1 });
        await responder.StartAsync(Board(name, 5000, "127.0.0.41"));
        var clock = Stopwatch.StartNew();
        // Multicast answers would have to wait until a second after the announcement; the one-shot query is answered by unicast at once.
        var found = await BoardResolver.ResolveAsync(name, Lo, TimeSpan.FromSeconds(3));
        Assert.Equal(IPAddress.Parse("127.0.0.41"), found?.Address);
        Assert.True(clock.ElapsedMilliseconds < 800, $"resolved after {clock.ElapsedMilliseconds} ms");
    }
}
