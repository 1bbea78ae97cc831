using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>Any long-running <c>ameba-ota</c> command as a child process (discover --watch, fleet upload...), its lines awaitable.</summary>
public sealed class CommandProcess : CliProcess
{
    private CommandProcess(Process process) : base(process)
    {
    }

    public static CommandProcess Start(string workingDirectory, params string[] args) =>
        new(Process.Start(Cli.StartInfo(workingDirectory, args))!);
}
