using System.Buffers.Binary;
using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// What Linux's <c>TCP_INFO</c> tells about a connection: its state, and how many bytes the peer has acknowledged
/// (<c>tcpi_bytes_acked</c>, kernel 4.1 and later). Acknowledged bytes are what a board took, not what the host's kernel
/// buffered: with default buffers a whole image is "sent" in milliseconds while the board is still erasing. Elsewhere
/// both are unknown (null).
/// </summary>
internal static class TcpInfo
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int BytesAckedOffset = 120;

    /// <summary><c>TCP_ESTABLISHED</c>: neither side has closed.</summary>
    public const byte Established = 1;

    /// <summary><c>TCP_CLOSE</c>: the connection is over (a reset received, or closed), though the descriptor is still open.</summary>
    public const byte Closed = 7;

    /// <summary>Bytes acknowledged by the peer so far (the FIN, once acknowledged, counts as one), or null when unknown.</summary>
    public static long? BytesAcknowledged(Socket socket)
    {
        if (socket is AckCountingSocket { BytesAcknowledgedAtClose: { } atClose }) return atClose;
        Span<byte> info = stackalloc byte[256];
        int length = Read(socket, info);
        return length < BytesAckedOffset + 8 ? null : (long)BinaryPrimitives.ReadUInt64LittleEndian(info[BytesAckedOffset..]);
    }

    /// <summary>The connection's state (Linux <c>TCP_*</c> numbering), or null when unknown.</summary>
    public static byte? State(Socket socket)
    {
        Span<byte> info = stackalloc byte[256];
        return Read(socket, info) < 1 ? null : info[0];
    }

    private static int Read(Socket socket, Span<byte> info)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            return socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
        }
        catch (SocketException)
        {
            return 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }
}
