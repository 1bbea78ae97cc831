using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// Bytes the peer of a TCP connection has acknowledged since this counter started (Linux <c>TCP_INFO</c>,
/// <c>tcpi_bytes_acked</c>): what the other end's stack took, not what this host's kernel buffered. A board's small
/// window makes the difference large: a server's kernel takes a whole image while the board is still erasing.
/// <para>The counter reads through the connection's own socket (no descriptor of its own: a server holding thousands of
/// boards needs one descriptor per connection). Once the socket is closed it keeps the last value it read, so whoever
/// closes a connection early calls <see cref="Freeze"/> first; an <see cref="AckCountingSocket"/> (what serve's servers
/// accept) reads the count itself as it closes, so a framework closing it first (on a board's reset) loses nothing.</para>
/// </summary>
public sealed class TcpAckCounter : IDisposable
{
    private Socket? _socket;
    private readonly long _baseline;
    private long _last;

    private TcpAckCounter(Socket socket, long baseline)
    {
        _socket = socket;
        _baseline = baseline;
    }

    /// <summary>A counter from now for <paramref name="socket"/>, or null when the platform cannot tell (not Linux, no socket, closed).</summary>
    public static TcpAckCounter? StartingNow(Socket? socket)
    {
        if (socket is null || !OperatingSystem.IsLinux()) return null;
        return TcpInfo.BytesAcknowledged(socket) is { } baseline ? new TcpAckCounter(socket, baseline) : null;
    }

    /// <summary>Bytes acknowledged since the start (the last value read once frozen or once the socket is closed).</summary>
    public long Acknowledged
    {
        get
        {
            if (Volatile.Read(ref _socket) is { } socket && TcpInfo.BytesAcknowledged(socket) is { } now)
            {
                long since = Math.Max(0, now - _baseline);
                long last;
                do last = Volatile.Read(ref _last);
                while (since > last && Interlocked.CompareExchange(ref _last, since, last) != last);
            }
            return Volatile.Read(ref _last);
        }
    }

    /// <summary>
    /// True once no acknowledgement can come any more: the peer reset the connection, or the socket was closed. (A peer
    /// that only closed its own end may still acknowledge.)
    /// </summary>
    public bool ConnectionOver => Volatile.Read(ref _socket) is not { } socket || TcpInfo.State(socket) is null or TcpInfo.Closed;

    /// <summary>Reads the count one last time and lets go of the socket: call it before the socket is closed.</summary>
    public void Freeze()
    {
        _ = Acknowledged;
        Volatile.Write(ref _socket, null);
    }

    /// <summary>Same as <see cref="Freeze"/>: the socket belongs to the connection, not to the counter.</summary>
    public void Dispose() => Freeze();
}
