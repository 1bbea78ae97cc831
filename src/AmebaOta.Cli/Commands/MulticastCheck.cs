using System.Net;
using System.Net.NetworkInformation;
using AmebaOta.Cli.Native;
using AmebaOta.Discovery;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// Before a virtual board boots: can its mDNS responder work on the interface it will use? A stock Linux <c>lo</c> has no
/// multicast, so outside a namespace made for it the board would boot, print its whole log and only then fail. This says
/// so first, with what to do instead, as <c>demo</c> does.
/// </summary>
public static class MulticastCheck
{
    /// <summary>Throws a one-line <see cref="CliError"/> (exit 9) when <paramref name="interfaceSpec"/> is not a usable mDNS interface.</summary>
    public static void Ensure(string interfaceSpec, bool offerNoMdns)
    {
        try
        {
            MdnsInterface.Resolve(interfaceSpec);
        }
        catch (MdnsException e)
        {
            if (InterfaceWithoutMulticast(interfaceSpec) is not { } name) throw new CliError(ExitCodes.IoError, e.Message);
            bool root = OperatingSystem.IsLinux() && Posix.GetEffectiveUserId() == 0;
            string self = SelfCommand.Quoted([.. SelfCommand.Parts, .. Environment.GetCommandLineArgs()[1..]]);
            throw new CliError(ExitCodes.IoError,
                $"mDNS needs multicast on {name}, which is off here ({e.Message}); run this inside a private network namespace with multicast on " +
                $"(from a clone of AmebaOta: scripts/netns-run {self}), or turn multicast on for {name} ({(root ? "" : "sudo ")}ip link set {name} multicast on)" +
                (offerNoMdns ? ", or add --no-mdns to only listen on the port" : ""));
        }
    }

    /// <summary>The name of the interface the spec means when it exists but does not carry multicast; null otherwise.</summary>
    private static string? InterfaceWithoutMulticast(string spec)
    {
        var all = NetworkInterface.GetAllNetworkInterfaces();
        bool isAddress = IPAddress.TryParse(spec, out var address);
        var nic = all.FirstOrDefault(n => n.Name == spec)
            ?? (isAddress ? all.FirstOrDefault(n => n.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address))) : null)
            ?? (isAddress && IPAddress.IsLoopback(address!) ? all.FirstOrDefault(n => n.NetworkInterfaceType == NetworkInterfaceType.Loopback) : null);
        return nic is not null && !nic.SupportsMulticast ? nic.Name : null;
    }
}
