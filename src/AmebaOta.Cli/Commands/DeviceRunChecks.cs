using System.Net;
using System.Net.Sockets;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Commands;

/// <summary>What <c>device run</c> checks before the board boots, so a board that cannot work ends with one line instead of a half-started board.</summary>
public static class DeviceRunChecks
{
    /// <summary><c>--ip</c>: IPv4, or IPv6 when the board does not advertise (its mDNS A record holds IPv4 only).</summary>
    public static IPAddress ParseAddress(string text, bool advertises)
    {
        var address = AddressParsing.Parse(text, "--ip", allowIpv6: true, allowNames: false);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && advertises)
            throw new CliError(ExitCodes.Usage, $"--ip {address}: the board's mDNS advertises an IPv4 address (an A record); use an IPv4 --ip, or add --no-mdns to listen on IPv6 without advertising");
        return address;
    }

    /// <summary>The port the first boot will listen on: the override, else the port of the sketch that boots; null when nothing will listen.</summary>
    public static int? FirstListenPort(string flashPath, Families.BoardFamily family, PinLevels pins, int? portOverride, SketchDescriptor? defaultSketch)
    {
        if (portOverride is { } p) return p == 0 ? null : p;
        var boot = family.Boot(FlashFile.Load(flashPath), pins);
        if (!boot.Started) return null;
        return (boot.Sketch ?? defaultSketch)?.Port;
    }

    /// <summary>
    /// Refuses a port some other socket listens on (another <c>device run</c>, or any program): the kernel would refuse
    /// the board's receiver anyway, and the user learns why now, in one line. Nothing is sent anywhere: it only binds.
    /// </summary>
    public static void EnsureCanListen(IPAddress address, int port)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        PortReuse.AllowRebind(probe);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new CliError(ExitCodes.IoError,
                $"{Describe(address, port)} is taken: another board (device run) or program listens there; stop it, or give this board another --port (--port 0: any free port)");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new CliError(ExitCodes.Usage, $"--ip {address} is not an address of this machine, so the board cannot listen on it (127.0.0.1 is always there)");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new CliError(ExitCodes.IoError, $"port {port} needs privileges on this machine (ports below 1024 are reserved to root): use --port 1024 or above");
        }
    }

    private static string Describe(IPAddress address, int port) => new IPEndPoint(address, port).ToString();
}
