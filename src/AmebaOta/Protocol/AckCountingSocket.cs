using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// An accepted connection's socket that reads what the peer acknowledged (<c>tcpi_bytes_acked</c>) one last time as it
/// is closed, and keeps it. Whoever closes it (a framework whose send fails on a board's reset closes the socket at once,
/// before any callback of ours runs) cannot take the count with it: <see cref="TcpAckCounter"/> reads the kept value once
/// the socket is gone. The kernel keeps the count after a reset until the descriptor is closed, so it is exact.
/// </summary>
public sealed class AckCountingSocket : Socket
{
    private long _atClose = -1;

    private AckCountingSocket(SafeSocketHandle handle) : base(handle)
    {
    }

    /// <summary>
    /// The same connection as <paramref name="accepted"/>, now owned by the returned socket (same descriptor, none added).
    /// <paramref name="accepted"/> must not be used or disposed afterwards.
    /// </summary>
    public static AckCountingSocket TakeOver(Socket accepted)
    {
        var socket = new AckCountingSocket(accepted.SafeHandle);
        GC.SuppressFinalize(accepted);   // its finalizer would close the descriptor the new socket owns now
        return socket;
    }

    /// <summary>Bytes the peer had acknowledged when the socket was closed (null while open, or when unknown).</summary>
    public long? BytesAcknowledgedAtClose => Interlocked.Read(ref _atClose) is var n and >= 0 ? n : null;

    /// <summary>Keeps the acknowledged count, then closes as any socket does.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && BytesAcknowledgedAtClose is null && TcpInfo.BytesAcknowledged(this) is { } acked)
            Interlocked.CompareExchange(ref _atClose, acked, -1);
        base.Dispose(disposing);
    }
}
