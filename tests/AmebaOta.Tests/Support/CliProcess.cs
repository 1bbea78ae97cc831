using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>
/// A long-running <c>ameba-ota</c> child process: stdout and stderr collected line by line, awaitable. Disposing stops it
/// with SIGTERM (a clean shutdown, as Ctrl+C or a service manager would), then kills it if it does not exit.
/// </summary>
public abstract class CliProcess : IAsyncDisposable
{
    protected CliProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) Serial.Add(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Notes.Add(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    protected Process Process { get; }

    /// <summary>The process id (to send it signals).</summary>
    public int Pid => Process.Id;

    /// <summary>stdout: the serial output of the board(s).</summary>
    public LineLog Serial { get; } = new();

    /// <summary>stderr: simulator notes and the command's own lines.</summary>
    public LineLog Notes { get; } = new();

    /// <summary>Waits for the process to exit by itself (e.g. after <c>quit</c>) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Process.WaitForExitAsync(timeout.Token);
        return Process.ExitCode;
    }

    /// <summary>Sends a signal (INT, TERM, HUP, …) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", Process.Id.ToString()]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit by itself, at most <paramref name="timeout"/>, and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await Process.WaitForExitAsync(cancel.Token);
        return Process.ExitCode;
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!Process.HasExited)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited) await StopAsync();
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
        }
        Process.Dispose();
        GC.SuppressFinalize(this);
    }
}
