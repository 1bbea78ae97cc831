using System.Net;
using System.Net.Sockets;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Tests.Discovery;

/// <summary>A bare UDP socket for tests that talk mDNS by hand: sends raw packets to the group and reads replies.</summary>
internal sealed class RawMdnsSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    /// <param name="bind">Where to bind; a specific address like 127.0.0.2:5353 receives only unicast sent to it.</param>
    /// <param name="joinGroup">Also join 224.0.0.251 on loopback (only useful when bound to 0.0.0.0).</param>
    public RawMdnsSocket(IPEndPoint bind, bool joinGroup = false)
    {
        _socket.ExclusiveAddressUse = false;
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(bind);
        var lo = MdnsInterface.Resolve("lo")[0];
        _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(lo.Index));
        _socket.MulticastLoopback = true;
        if (joinGroup) _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(MdnsTransport.Group, lo.Index));
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Send(DnsMessage message, IPEndPoint? to = null) => Send(message.ToArray(), to);

    public void Send(byte[] packet, IPEndPoint? to = null) => _socket.SendTo(packet, to ?? MdnsTransport.GroupEndPoint);

    /// <summary>Sends bytes as they are (a query part made with <see cref="DnsWriter.WriteQueryPart"/>, say).</summary>
    public void Send(ReadOnlySpan<byte> packet) => _socket.SendTo(packet, SocketFlags.None, MdnsTransport.GroupEndPoint);

    /// <summary>The next parsed packet that satisfies <paramref name="match"/>, or null after <paramref name="timeout"/>.</summary>
    public async Task<DnsMessage?> ReceiveAsync(Func<DnsMessage, bool> match, TimeSpan timeout) =>
        (await ReceiveFromAsync((m, _) => match(m), timeout))?.Message;

    /// <summary>The next parsed packet (and its source) that satisfies <paramref name="match"/>, or null after <paramref name="timeout"/>.</summary>
    public async Task<(DnsMessage Message, IPEndPoint Source)?> ReceiveFromAsync(Func<DnsMessage, IPEndPoint, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[9000];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                DnsMessage message;
                try { message = DnsMessage.Parse(buffer.AsSpan(0, result.ReceivedBytes)); }
                catch (DnsFormatException) { continue; }
                var source = (IPEndPoint)result.RemoteEndPoint;
                if (match(message, source)) return (message, source);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Every parsed packet that satisfies <paramref name="match"/> during <paramref name="window"/>.</summary>
    public async Task<List<DnsMessage>> CollectAsync(Func<DnsMessage, bool> match, TimeSpan window)
    {
        var found = new List<DnsMessage>();
        var end = DateTime.UtcNow + window;
        while (DateTime.UtcNow < end)
        {
            var m = await ReceiveAsync(match, end - DateTime.UtcNow);
            if (m is null) break;
            found.Add(m);
        }
        return found;
    }

    public void Dispose() => _socket.Dispose();
}
