using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Cli.Demo;

/// <summary>The demo board's port: the examples' 5000 when it is free on the address, otherwise any free one.</summary>
public static class DemoPort
{
    public static int Choose(IPAddress address, int preferred)
    {
        if (IsFree(address, preferred)) return preferred;
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static bool IsFree(IPAddress address, int port)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
            probe.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
