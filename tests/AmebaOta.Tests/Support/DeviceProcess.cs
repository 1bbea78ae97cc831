using System.Diagnostics;
using System.Net;

namespace AmebaOta.Tests.Support;

/// <summary>
/// <c>ameba-ota device run</c> as a real child process: its stdout (the serial output) and stderr (simulator notes)
/// collected line by line, awaitable. Started with <c>--port 0</c>; <see cref="WaitForPortAsync"/> reads the port the
/// board chose from its "listening on" note. Disposing stops it with SIGTERM (a clean shutdown), then kills it.
/// </summary>
public sealed class DeviceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DeviceProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) Serial.Add(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Notes.Add(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public LineLog Serial { get; } = new();
    public LineLog Notes { get; } = new();

    public static DeviceProcess Start(string workingDirectory, params string[] args)
    {
        var process = Process.Start(Cli.StartInfo(workingDirectory, ["device", "run", .. args]))!;
        return new DeviceProcess(process);
    }

    /// <summary>Types a control command on the board's standard input (its reply arrives in <see cref="Notes"/>).</summary>
    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes the board's standard input (as a CI job with no input does): the board must keep running.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the process to exit by itself (e.g. after <c>quit</c>) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>The port from the n-th "OTA receiver listening on 127.0.0.1:PORT" note.</summary>
    public async Task<int> WaitForPortAsync(int occurrence = 1)
    {
        string note = await Notes.WaitForAsync(l => l.Contains("OTA receiver listening on "), "the listening note", occurrence);
        return IPEndPoint.Parse(note[(note.LastIndexOf(' ') + 1)..]).Port;
    }

    /// <summary>Sends SIGTERM (what Ctrl+C or a service manager does) and waits for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
