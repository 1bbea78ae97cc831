using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>Any long-running <c>ameba-ota</c> command as a child process (discover --watch, fleet upload...), its lines awaitable, signals sent by name.</summary>
public sealed class CommandProcess : CliProcess
{
    private CommandProcess(Process process) : base(process)
    {
    }

    public static CommandProcess Start(string workingDirectory, params string[] args) =>
        new(Process.Start(Cli.StartInfo(workingDirectory, args))!);

    /// <summary>Sends a signal (INT, TERM, HUP) as a terminal or a service manager would.</summary>
    public async Task SignalAsync(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", Process.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }
}
