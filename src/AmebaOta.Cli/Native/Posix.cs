using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AmebaOta.Cli.Native;

/// <summary>The few POSIX calls the CLI needs that .NET does not expose (Linux; blittable signatures, so native AOT needs no marshalling).</summary>
internal static class Posix
{
    public const int SIGHUP = 1, SIGTERM = 15;

    [DllImport("libc", EntryPoint = "geteuid")]
    public static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    private const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;

    /// <summary><c>struct ifreq</c> as SIOCGIFFLAGS/SIOCSIFFLAGS use it: the name, then the flags (40 bytes on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct InterfaceRequest
    {
        public InterfaceName Name;
        public short Flags;
    }

    [InlineArray(16)]
    private struct InterfaceName
    {
        private byte _first;
    }

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int IoctlInterface(int fd, nuint request, ref InterfaceRequest request2);

    /// <summary>Sets <paramref name="flags"/> on interface <paramref name="name"/> (e.g. IFF_UP | IFF_MULTICAST); null when done, else why not.</summary>
    public static string? AddInterfaceFlags(string name, short flags)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        int fd = (int)socket.Handle;
        var request = new InterfaceRequest();
        Span<byte> nameBytes = request.Name;
        System.Text.Encoding.ASCII.GetBytes(name, nameBytes[..15]);
        if (IoctlInterface(fd, SIOCGIFFLAGS, ref request) != 0) return Marshal.GetLastPInvokeErrorMessage();
        request.Flags |= flags;
        if (IoctlInterface(fd, SIOCSIFFLAGS, ref request) != 0) return Marshal.GetLastPInvokeErrorMessage();
        return null;
    }
}
