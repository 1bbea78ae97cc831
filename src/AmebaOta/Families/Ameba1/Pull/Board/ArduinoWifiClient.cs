using System.Net;
using AmebaOta.Boards;
using AmebaOta.Protocol.Lwip;

namespace AmebaOta.Families.Ameba1.Pull.Board;

/// <summary>
/// The Ameba1 Arduino core's <c>WiFiClient</c> (<c>WiFiClient.cpp</c>, <c>server_drv.cpp</c>, <c>ard_socket.c</c>) as
/// CloudOTA uses it: <c>connect</c> prints <c>Connect to Server successful!</c> (or <c>failed!</c>) and sets a 3 s
/// <c>SO_RCVTIMEO</c>; <c>available()</c> peeks one byte with the receive timeout lowered to 10 ms and marks the client
/// disconnected when the peek fails with anything but <c>EAGAIN</c> (the server's FIN included); <c>read()</c> of one
/// byte goes through <c>available()</c>; <c>read(buf, n)</c> reads directly; <c>connected()</c> is that flag, and stops
/// the client when it is down.
/// </summary>
public sealed class ArduinoWifiClient(PullBoard board) : IDisposable
{
    /// <summary>The core's <c>recvTimeout</c>: 3000 ms.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(3000);
    /// <summary><c>get_receive</c>'s MSG_PEEK timeout: 10 ms.</summary>
    public static readonly TimeSpan PeekTimeout = TimeSpan.FromMilliseconds(10);

    private LwipSocket? _socket;
    private bool _connected;

    /// <summary><c>WiFiClient::connect(host, port)</c>: 1 when connected, 0 otherwise.</summary>
    public async Task<int> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        _connected = false;
        // WiFi.hostByName: a name that does not resolve returns 0 before any socket exists, silently.
        if (await PullBoard.ResolveAsync(host, cancellationToken).ConfigureAwait(false) is not { } address) return 0;
        var linkLost = await board.LinkTokenAsync(cancellationToken).ConfigureAwait(false);
        _socket = await LwipSocket.ConnectAsync(board.Address, new IPEndPoint(address, port), linkLost, cancellationToken).ConfigureAwait(false);
        if (_socket is null)
        {
            board.Printf("\r\nConnect to Server failed!\r\n");
            return 0;
        }
        board.Printf("\r\nConnect to Server successful!\r\n");
        _connected = true;
        return 1;
    }

    /// <summary><c>print</c>/<c>write</c>: sends the request text.</summary>
    public async Task<int> WriteAsync(string text, CancellationToken cancellationToken)
    {
        if (_socket is null) return 0;
        int n = await _socket.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), cancellationToken).ConfigureAwait(false);
        if (n < 0) _connected = false;
        return Math.Max(n, 0);
    }

    /// <summary><c>available()</c>: true when a byte can be read now (after waiting up to 10 ms for one).</summary>
    public async ValueTask<bool> AvailableAsync(CancellationToken cancellationToken)
    {
        if (!_connected || _socket is null) return false;
        int peek = await _socket.PeekAsync(PeekTimeout, cancellationToken).ConfigureAwait(false);
        if (peek > 0) return true;
        if (_socket.LastError != LwipError.WouldBlock) _connected = false;
        return false;
    }

    /// <summary><c>read()</c>: one byte, or -1 when none is available.</summary>
    public async ValueTask<int> ReadByteAsync(CancellationToken cancellationToken)
    {
        if (!await AvailableAsync(cancellationToken).ConfigureAwait(false)) return -1;
        var one = new byte[1];
        int n = await _socket!.ReadAsync(one, ReceiveTimeout, cancellationToken).ConfigureAwait(false);
        if (n > 0) return one[0];
        if (_socket.LastError != LwipError.WouldBlock) _connected = false;
        return n;
    }

    /// <summary><c>read(buf, size)</c>: straight to the socket with the 3 s timeout; bytes read, 0 after FIN, -1 on error.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_socket is null) return -1;
        int n = await _socket.ReadAsync(buffer, ReceiveTimeout, cancellationToken).ConfigureAwait(false);
        if (n <= 0 && _socket.LastError != LwipError.WouldBlock) _connected = false;
        return n;
    }

    /// <summary><c>connected()</c>: the flag; a client found disconnected is stopped.</summary>
    public bool Connected()
    {
        if (_socket is null) return false;
        if (_connected) return true;
        Stop();
        return false;
    }

    /// <summary><c>stop()</c>: closes the socket.</summary>
    public void Stop()
    {
        _socket?.Dispose();
        _socket = null;
        _connected = false;
    }

    /// <inheritdoc />
    public void Dispose() => Stop();
}
