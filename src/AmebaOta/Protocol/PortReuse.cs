using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// SO_REUSEADDR as POSIX means it: a port can be bound again while old connections on it linger in TIME_WAIT, and a
/// socket that only holds a port (bound, not listening) does not stop its owner listening there. .NET's
/// <c>SocketOptionName.ReuseAddress</c> also sets SO_REUSEPORT on Linux and macOS, which lets a second process listen on
/// the very same address and port and have the kernel share incoming connections between the two: two virtual boards
/// on one port would each receive some uploads. Listening sockets and port reservations use this instead.
/// </summary>
public static class PortReuse
{
    /// <summary>Sets SO_REUSEADDR alone (nothing on Windows, where rebinding over TIME_WAIT needs no option).</summary>
    public static void AllowRebind(Socket socket)
    {
        if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) socket.SetRawSocketOption(0xffff, 0x4, BitConverter.GetBytes(1));
    }
}
