using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Tests.Discovery;

/// <summary>The browser's cache: work per packet does not grow with what it knows, and a flood of names cannot grow it without bound.</summary>
public class ServiceCacheTests
{
    private static readonly DnsName Type = DnsName.Parse("_arduino._tcp.local");

    private static DnsMessage Announcement(string name, string ip, uint ttl = 120)
    {
        var records = new ServiceRecords(new ServiceAdvertisement(name, name, IPAddress.Parse(ip), 5000, ArduinoService.StockTxt), name, name);
        var m = records.Announcement();
        return ttl == 0 ? records.Goodbye() : m;
    }

    [Fact]
    public void Only_the_instances_a_packet_touched_are_reported_however_many_are_known()
    {
        var cache = new ServiceCache(Type);
        for (int i = 0; i < 5000; i++) cache.Add(Announcement($"B-{i}", "127.0.0.2"), now: 0);
        Assert.Equal(5000, cache.TakeChanges(0).Count);

        Assert.False(cache.Add(Announcement("B-42", "127.0.0.2"), now: 10));   // a repeat changes nothing
        Assert.Empty(cache.TakeChanges(10));
        Assert.True(cache.Add(Announcement("B-43", "127.0.0.9"), now: 20));    // a new address: one service changed
        var change = Assert.Single(cache.TakeChanges(20));
        Assert.Equal(("B-43", ServiceEventKind.Appeared, "127.0.0.9"), (change.Service.InstanceName, change.Kind, change.Service.Address.ToString()));
        cache.Add(Announcement("B-44", "127.0.0.2", ttl: 0), now: 30);
        change = Assert.Single(cache.TakeChanges(30));
        Assert.Equal(("B-44", ServiceEventKind.Disappeared), (change.Service.InstanceName, change.Kind));
        Assert.Equal(4999, cache.Complete().Count);
        Assert.Equal(4999, cache.KnownAnswers(30).Count);
    }

    [Fact]
    public void A_flood_of_made_up_names_stops_at_the_capacity_and_known_services_stay()
    {
        var cache = new ServiceCache(Type, capacity: 100);
        cache.Add(Announcement("Real", "127.0.0.2"), now: 0);
        for (int i = 0; i < 10_000; i++)
            cache.Add(new DnsMessage { Header = DnsHeader.Response, Answers = [new PtrRecord(Type, 4500, Type.Prepend($"Junk-{i}"))] }, now: 1);
        Assert.Equal(100, cache.Count);
        cache.TakeChanges(1);
        Assert.Equal("Real", Assert.Single(cache.Complete()).InstanceName);
        // 99 junk instances lack SRV and TXT: the follow-up questions come in bounded batches, each with its back-off.
        var first = cache.DueQuestions(1, max: 64, maxIntervalMs: 60_000);
        Assert.Equal(64, first.Count);
        Assert.Equal(198 - 64, cache.DueQuestions(1, max: 1000, maxIntervalMs: 60_000).Count);
        Assert.Empty(cache.DueQuestions(2, max: 1000, maxIntervalMs: 60_000));
        Assert.Equal(198, cache.DueQuestions(1 + 250, max: 1000, maxIntervalMs: 60_000).Count);
    }

    [Fact]
    public void Records_expire_with_their_ttl_and_the_service_disappears()
    {
        var cache = new ServiceCache(Type);
        cache.Add(Announcement("Short", "127.0.0.2"), now: 0);   // SRV and A live 120 s
        Assert.Single(cache.TakeChanges(0));
        Assert.False(cache.Expire(119_999));
        Assert.True(cache.Expire(120_000));
        var gone = Assert.Single(cache.TakeChanges(120_000));
        Assert.Equal(ServiceEventKind.Disappeared, gone.Kind);
    }
}
