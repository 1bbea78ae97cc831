using System.Net;
using System.Net.Sockets;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>A received, parsed mDNS message, where it came from and on which interface.</summary>
internal readonly record struct MdnsPacket(DnsMessage Message, IPEndPoint Source, MdnsInterface Interface);

/// <summary>
/// The UDP side of mDNS: one socket on port 5353 shared with every other responder and browser on the host
/// (SO_REUSEADDR, not exclusive), member of 224.0.0.251 on the chosen interfaces, multicast loopback on so processes
/// on one host hear each other. Received packets are parsed and handed to the handler; packets from other interfaces
/// and malformed packets are dropped (counted in <see cref="MalformedPackets"/>). IPv4 only.
/// </summary>
internal sealed class MdnsTransport : IAsyncDisposable
{
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    public static readonly IPEndPoint GroupEndPoint = new(Group, Port);

    private readonly Socket _socket;
    private readonly IReadOnlyList<MdnsInterface> _interfaces;
    private readonly Func<MdnsPacket, ValueTask> _handler;
    private readonly DnsWriter _writer = new();
    private readonly Lock _sendLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private int _malformed;

    public MdnsTransport(IReadOnlyList<MdnsInterface> interfaces, Func<MdnsPacket, ValueTask> handler)
    {
        if (interfaces.Count == 0) throw new MdnsException("no interface to run mDNS on");
        _interfaces = interfaces;
        _handler = handler;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ExclusiveAddressUse = false;
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            _socket.Bind(new IPEndPoint(IPAddress.Any, Port));
            foreach (var nic in interfaces)
                _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, nic.Index));
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(interfaces[0].Index));
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            _socket.MulticastLoopback = true;
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new MdnsException($"cannot open mDNS socket on {string.Join(", ", interfaces)}: {e.Message}", e);
        }
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public IReadOnlyList<MdnsInterface> Interfaces => _interfaces;

    public int MalformedPackets => Volatile.Read(ref _malformed);

    /// <summary>Sends to 224.0.0.251:5353 on every interface, or to <paramref name="unicast"/> when given.</summary>
    public void Send(DnsMessage message, IPEndPoint? unicast = null)
    {
        lock (_sendLock)
        {
            if (_stop.IsCancellationRequested) return;
            var bytes = _writer.Write(message);
            try
            {
                if (unicast is not null)
                {
                    _socket.SendTo(bytes, SocketFlags.None, unicast);
                    return;
                }
                foreach (var nic in _interfaces)
                {
                    if (_interfaces.Count > 1)
                        _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(nic.Index));
                    _socket.SendTo(bytes, SocketFlags.None, GroupEndPoint);
                }
            }
            catch (SocketException)
            {
                // UDP is best effort: a send that fails (interface down, no route) is like a lost packet; mDNS retries.
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[DnsWriter.MaxMessageSize];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult result;
            try
            {
                result = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;   // e.g. ICMP port unreachable reported on a later receive
            }
            var nic = _interfaces.Count == 1 && result.PacketInformation.Interface == 0
                ? _interfaces[0]
                : _interfaces.FirstOrDefault(i => i.Index == result.PacketInformation.Interface);
            if (nic is null) continue;
            DnsMessage message;
            try
            {
                message = DnsReader.Read(buffer.AsSpan(0, result.ReceivedBytes));
            }
            catch (DnsFormatException)
            {
                Interlocked.Increment(ref _malformed);
                continue;
            }
            try
            {
                await _handler(new MdnsPacket(message, (IPEndPoint)result.RemoteEndPoint, nic));
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_sendLock) _stop.Cancel();
        _socket.Dispose();
        try { await _receiveLoop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
