using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>
/// <c>ameba-ota device farm</c> as a real child process: stdout (every board's serial output, prefixed with its name) and
/// stderr (the farm's lines and board notes) collected line by line, awaitable. Disposing stops it with SIGTERM, then kills it.
/// </summary>
public sealed class FarmProcess : CliProcess
{
    private static int _subnets;

    private FarmProcess(Process process) : base(process)
    {
    }

    /// <summary>A base address no other test uses: 127.(150+n).0.1, so farms of parallel tests never share an address.</summary>
    public static string UniqueBaseIp() => $"127.{150 + Interlocked.Increment(ref _subnets)}.0.1";

    public static FarmProcess Start(string workingDirectory, params string[] args) =>
        new(Process.Start(Cli.StartInfo(workingDirectory, ["device", "farm", .. args]))!);

    public static FarmProcess StartIn(PrivateNetwork network, string workingDirectory, params string[] args) =>
        new(Process.Start(network.Wrap(Cli.StartInfo(workingDirectory, ["device", "farm", .. args])))!);

    /// <summary>Waits for "[farm] all N boards listening …": every board has claimed its mDNS name and listens.</summary>
    public Task<string> WaitForAllListeningAsync(int count) =>
        Notes.WaitForAsync(l => l.StartsWith($"[farm] all {count} boards listening"), "the farm's ready line");
}
