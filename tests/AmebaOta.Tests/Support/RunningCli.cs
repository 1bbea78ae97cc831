using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>Any <c>ameba-ota</c> command left running (an upload to interrupt, say), its output collected line by line.</summary>
public sealed class RunningCli : CliProcess
{
    private RunningCli(Process process) : base(process)
    {
    }

    public static RunningCli StartIn(PrivateNetwork network, string workingDirectory, params string[] args) =>
        new(Process.Start(network.Wrap(Cli.StartInfo(workingDirectory, args)))!);
}
