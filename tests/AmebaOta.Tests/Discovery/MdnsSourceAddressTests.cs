using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Discovery;

/// <summary>
/// Our multicast leaves with a real source address, never 0.0.0.0 (which a loopback-only host used to get: lo's 127.0.0.1
/// has host scope, so choosing the interface by index left the source unset, and system daemons drop such packets).
/// </summary>
public class MdnsSourceAddressTests
{
    private static readonly DnsName Type = DnsName.Parse("_arduino._tcp.local");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_board_announces_from_its_own_loopback_address_and_a_browser_queries_from_lo_s()
    {
        var name = UniqueName("Source");
        var instance = Type.Prepend(name);
        using var listener = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        var announcement = listener.ReceiveFromAsync((m, _) => m.IsResponse && m.Answers.Any(r => r is SrvRecord s && s.Name == instance), Wait);
        await using var responder = Responder();
        await responder.StartAsync(Board(name, 5000, "127.0.0.77"));
        var heard = await announcement;
        Assert.NotNull(heard);
        Assert.Equal(IPAddress.Parse("127.0.0.77"), heard.Value.Source.Address);

        var query = listener.ReceiveFromAsync((m, _) => !m.IsResponse && m.Questions.Any(q => q.Name == Type.Prepend("NoSuchBoard-" + name)), Wait);
        await BoardResolver.ResolveAsync("NoSuchBoard-" + name, Lo, TimeSpan.FromMilliseconds(300));
        var asked = await query;
        Assert.NotNull(asked);
        Assert.Equal(IPAddress.Loopback, asked.Value.Source.Address);
    }

    [Fact]
    public async Task An_address_that_is_not_the_interface_s_falls_back_to_the_interface_address()
    {
        var name = UniqueName("Foreign");
        var instance = Type.Prepend(name);
        using var listener = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, MdnsTransport.Port), joinGroup: true);
        var announcement = listener.ReceiveFromAsync((m, _) => m.IsResponse && m.Answers.Any(r => r is SrvRecord s && s.Name == instance), Wait);
        await using var responder = Responder();
        await responder.StartAsync(Board(name, 5000, "192.0.2.10"));   // TEST-NET-1: advertised, not ours
        var heard = await announcement;
        Assert.NotNull(heard);
        Assert.Equal(IPAddress.Loopback, heard.Value.Source.Address);
    }
}
