using System.Net;
using AmebaOta.Discovery;

namespace AmebaOta.Tests.Discovery;

/// <summary>Our browser against our responder, real multicast on loopback (the test run is inside netns-run).</summary>
public class MdnsLoopbackTests
{
    internal const string Lo = "lo";

    internal static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("n")[..6]}";

    internal static ServiceAdvertisement Board(string name, ushort port = 5000, string ip = "127.0.0.1") =>
        new(name, name, IPAddress.Parse(ip), port, ArduinoService.StockTxt);

    internal static MdnsResponder Responder() => new(new MdnsResponderOptions { Interface = Lo });

    [Fact]
    public async Task Browser_resolves_our_responder_with_exact_name_port_txt_and_address()
    {
        var name = UniqueName("MyAmeba");
        await using var responder = Responder();
        Assert.Equal(name, await responder.StartAsync(Board(name, 5000, "127.0.0.7")));

        var found = await BoardResolver.ResolveAsync(name, Lo, TimeSpan.FromSeconds(3));

        Assert.NotNull(found);
        Assert.Equal(name, found.InstanceName);
        Assert.Equal("_arduino._tcp", found.ServiceType);
        Assert.Equal($"{name}.local", found.Host);
        Assert.Equal(IPAddress.Parse("127.0.0.7"), found.Address);
        Assert.Equal(5000, found.Port);
        Assert.Equal(
            [new("board", "ameba_rtl8195a"), new("auth_upload", "no"), new("tcp_check", "no"), new("ssh_upload", "no")],
            found.Txt);
        Assert.Equal($"{name} at 127.0.0.7 (RTL8195AM)", found.Label);
    }
}

public class MdnsWatchTests
{
    [Fact]
    public async Task Watch_reports_appear_then_disappear_on_goodbye()
    {
        var name = MdnsLoopbackTests.UniqueName("Watch");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = MdnsLoopbackTests.Lo });
        await using var events = browser.WatchAsync(cts.Token).Where(e => e.Service.InstanceName == name).GetAsyncEnumerator(cts.Token);

        var responder = MdnsLoopbackTests.Responder();
        var next = events.MoveNextAsync();
        await responder.StartAsync(MdnsLoopbackTests.Board(name, 5005, "127.0.0.5"));
        Assert.True(await next);
        Assert.Equal(ServiceEventKind.Appeared, events.Current.Kind);
        Assert.Equal(5005, events.Current.Service.Port);

        next = events.MoveNextAsync();
        await responder.StopAsync();
        Assert.True(await next);
        Assert.Equal(ServiceEventKind.Disappeared, events.Current.Kind);
        Assert.Equal(IPAddress.Parse("127.0.0.5"), events.Current.Service.Address);
    }
}
