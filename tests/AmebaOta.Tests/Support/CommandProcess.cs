using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>Any <c>ameba-ota</c> command as a long-running child process (stdout and stderr as awaitable lines), which a test may kill with SIGKILL.</summary>
public sealed class CommandProcess : CliProcess
{
    private CommandProcess(Process process) : base(process)
    {
    }

    public static CommandProcess Start(string workingDirectory, params string[] args) =>
        new(Process.Start(Cli.StartInfo(workingDirectory, args))!);

    /// <summary>The command inside <paramref name="network"/>.</summary>
    public static CommandProcess StartIn(PrivateNetwork network, string workingDirectory, params string[] args) =>
        new(Process.Start(network.Wrap(Cli.StartInfo(workingDirectory, args)))!);

    public int Id => Process.Id;

    public bool HasExited => Process.HasExited;

    /// <summary>SIGKILL: no handler runs, nothing is flushed or closed by the process itself.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    /// <summary>Writes a line to its standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await Process.StandardInput.WriteAsync(line + "\n");
        await Process.StandardInput.FlushAsync();
    }
}
