using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AmebaOta.Protocol;

/// <summary>
/// Bytes the peer of a TCP connection has acknowledged since this counter started (Linux <c>TCP_INFO</c>,
/// <c>tcpi_bytes_acked</c>): what the other end's stack took, not what this host's kernel buffered. A board's small
/// window makes the difference large: a server's kernel takes a whole image while the board is still erasing.
/// <para>The counter reads through its own duplicate of the socket's descriptor, so it can still tell after the server
/// framework has closed its handle (Kestrel does so as soon as a board closes its end). Dispose it when done: until then
/// the connection is only shut down, not released.</para>
/// </summary>
public sealed class TcpAckCounter : IDisposable
{
    private readonly Socket _socket;
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
        Socket? own = null;
        try
        {
            int fd = Dup((int)socket.SafeHandle.DangerousGetHandle());
            if (fd < 0) return null;
            own = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            if (TcpInfo.BytesAcknowledged(own) is { } baseline) return new TcpAckCounter(own, baseline);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException or DllNotFoundException or EntryPointNotFoundException)
        {
        }
        own?.Dispose();
        return null;
    }

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    /// <summary>Bytes acknowledged since the start (the last value known once disposed).</summary>
    public long Acknowledged
    {
        get
        {
            if (TcpInfo.BytesAcknowledged(_socket) is { } now) Volatile.Write(ref _last, Math.Max(0, now - _baseline));
            return Volatile.Read(ref _last);
        }
    }

    /// <summary>Closes the duplicate descriptor.</summary>
    public void Dispose() => _socket.Dispose();
}
