using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// SO_LINGER {on, 0} on a connection that carries image bytes to a board, from before its first byte until the board
/// has acknowledged its last: whatever ends the connection meanwhile (our own abort, a framework's close, or the kernel
/// closing the descriptors of a process that died) sends a reset, never a FIN. A stock receiver reading a stream cut by a
/// FIN spins in its download loop until someone resets the board; after a reset it fails cleanly and keeps its old image
/// (docs/reference sections 9.4, 9.5 and 10).
/// </summary>
public static class AbortiveClose
{
    /// <summary>From now on, closing <paramref name="socket"/> (or the process dying) resets the connection.</summary>
    public static void Arm(Socket socket) => Set(socket, new LingerOption(true, 0));

    /// <summary>The board has every byte: closing is a normal close (FIN) again.</summary>
    public static void Disarm(Socket socket) => Set(socket, new LingerOption(false, 0));

    /// <summary>
    /// Resets the connection now (even one a framework still holds: its pending reads fail as on any close). A framework's
    /// own abort shuts the socket down first, which sends a FIN whenever nothing is left unsent.
    /// </summary>
    public static void Reset(Socket socket)
    {
        Arm(socket);
        socket.Dispose();
    }

    private static void Set(Socket socket, LingerOption linger)
    {
        try
        {
            socket.LingerState = linger;
        }
        catch (SocketException) { }   // already closed by the peer's reset: nothing left to arm or disarm
        catch (ObjectDisposedException) { }
    }
}
