using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using AmebaOta.Cli.Native;

namespace AmebaOta.Cli.Demo;

/// <summary>
/// Where <c>ameba-ota demo</c> runs. The demo needs multicast on <c>lo</c> (mDNS), which a stock Linux machine does not
/// have. So, unless <c>lo</c> already carries multicast, the demo runs itself again inside a private user + network
/// namespace it creates with <c>unshare</c> (a namespace has only its own <c>lo</c>, so nothing can leave the machine),
/// and turns multicast on there. A .NET process cannot enter a new user namespace itself (unshare(CLONE_NEWUSER) needs a
/// single-threaded process), hence the second process. When no namespace can be made, one line says what to run instead.
/// </summary>
public static class DemoNamespace
{
    /// <summary>Set in the environment of the demo started inside its own namespace.</summary>
    public const string InsideVariable = "AMEBAOTA_DEMO_NETNS";

    private const short IffUp = 0x1, IffMulticast = 0x1000;

    /// <summary>Null: run the demo in this process. Otherwise the exit code of the demo that ran in a namespace of its own.</summary>
    public static async Task<int?> RunElsewhereAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || LoopbackCarriesMulticast()) return null;
        if (Environment.GetEnvironmentVariable(InsideVariable) == "1" && OnlyLoopbackIsUp())
        {
            // Our own fresh namespace: its lo is ours to configure, and it is the only way out.
            if (Posix.AddInterfaceFlags("lo", IffUp | IffMulticast) is { } error)
                throw new CliError(ExitCodes.IoError, $"demo: cannot turn on multicast on lo inside the demo's own network namespace: {error}");
            return null;
        }
        bool root = Posix.GetEffectiveUserId() == 0;
        string[] unshare = root ? ["unshare", "--net"] : ["unshare", "--map-root-user", "--net"];
        var (missing, failure) = await TryAsync([.. unshare, "--", "true"], cancellationToken);
        if (failure is null) return await RunInsideAsync([.. unshare, "--", .. SelfCommand.Parts, .. Environment.GetCommandLineArgs()[1..]], cancellationToken);
        throw new CliError(ExitCodes.IoError,
            $"demo: mDNS needs multicast on lo, which is off here, and no private network namespace can be made ({failure}); run instead: {Instead(root, !missing)}");
    }

    /// <summary>The exact command that works without a namespace of our own: one made as root, or multicast turned on for lo.</summary>
    private static string Instead(bool root, bool haveUnshare)
    {
        string demo = SelfCommand.Quoted([.. SelfCommand.Parts, "demo"]);
        if (!root && haveUnshare)
            return $"sudo unshare --net -- sh -c 'ip link set lo up multicast on && exec \"$@\"' sh {demo}";
        return $"{(root ? "" : "sudo ")}ip link set lo multicast on && {demo}";
    }

    private static bool LoopbackCarriesMulticast() => NetworkInterface.GetAllNetworkInterfaces().Any(n =>
        n.NetworkInterfaceType == NetworkInterfaceType.Loopback && n.OperationalStatus != OperationalStatus.Down && n.SupportsMulticast);

    private static bool OnlyLoopbackIsUp() => NetworkInterface.GetAllNetworkInterfaces().All(n =>
        n.NetworkInterfaceType == NetworkInterfaceType.Loopback || n.OperationalStatus == OperationalStatus.Down);

    /// <summary>Runs a command quietly: Failure is null when it exits 0, otherwise its first line of complaint; Missing: no such program.</summary>
    private static async Task<(bool Missing, string? Failure)> TryAsync(string[] command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in command[1..]) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (true, $"no '{command[0]}' on the PATH");
        }
        using (process)
        {
            string complaint = await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode == 0) return (false, null);
            string first = complaint.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit {process.ExitCode}";
            return (false, $"'{string.Join(' ', command[..^2])}' failed: {first}");
        }
    }

    /// <summary>Runs the demo in its namespace on this terminal (colours and all) and passes signals on to it.</summary>
    private static async Task<int> RunInsideAsync(string[] command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var a in command[1..]) start.ArgumentList.Add(a);
        start.Environment[InsideVariable] = "1";
        using var child = Process.Start(start)!;
        // unshare execs the demo in place, so the child's pid is the demo's: signals sent to us are passed on to it. Not
        // Ctrl+C: the terminal sends SIGINT to the whole foreground process group, the demo included, so we only wait.
        void Forward(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!child.HasExited) Posix.Kill(child.Id, context.Signal == PosixSignal.SIGHUP ? Posix.SIGHUP : Posix.SIGTERM);
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Forward);
        await child.WaitForExitAsync(CancellationToken.None);
        return child.ExitCode;
    }
}
