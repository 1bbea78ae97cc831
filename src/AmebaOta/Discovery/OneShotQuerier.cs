using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// One-shot queries (RFC 6762 §5.1) from a socket of our own on an ephemeral port: responders answer such a "legacy"
/// query at once by unicast to that port (§6.7), outside the one-second rule that governs multicast answers, and only we
/// receive the reply (port 5353 is shared with every other mDNS program on the host). Used to resolve one named board
/// fast; browsing stays multicast on 5353.
/// </summary>
internal sealed class OneShotQuerier : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Action<DnsMessage> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private readonly DnsWriter _writer = new();
    private readonly Lock _sendLock = new();
    private readonly ushort _id = (ushort)Random.Shared.Next(1, 65536);

    public OneShotQuerier(MdnsInterface nic, Action<DnsMessage> handler)
    {
        _handler = handler;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(IPAddress.Any, 0));
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface,
                BinaryPrimitives.ReadInt32LittleEndian(nic.Address.GetAddressBytes()));
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            _socket.MulticastLoopback = true;
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new MdnsException($"cannot open a one-shot mDNS socket on {nic}: {e.Message}", e);
        }
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Multicasts <paramref name="questions"/> to 224.0.0.251:5353 from our port, with our query ID (echoed in replies).</summary>
    public void Send(List<DnsQuestion> questions)
    {
        lock (_sendLock)
        {
            if (_stop.IsCancellationRequested) return;
            var bytes = _writer.Write(new DnsMessage { Header = new DnsHeader(_id, 0), Questions = questions });
            try { _socket.SendTo(bytes, SocketFlags.None, MdnsSocket.GroupEndPoint); }
            catch (SocketException) { }   // best effort, like every mDNS packet
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[DnsWriter.MaxMessageSize];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (((IPEndPoint)result.RemoteEndPoint).Port != MdnsSocket.Port) continue;   // §6.7 replies come from port 5353
            DnsMessage message;
            try { message = DnsReader.Read(buffer.AsSpan(0, result.ReceivedBytes)); }
            catch (DnsFormatException) { continue; }
            if (!message.IsResponse || message.Header.Id != _id) continue;
            try { _handler(message); }
            catch (ObjectDisposedException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_sendLock) _stop.Cancel();
        _socket.Dispose();
        try { await _receiveLoop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
