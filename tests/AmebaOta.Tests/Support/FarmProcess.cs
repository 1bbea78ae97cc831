using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>
/// <c>ameba-ota device farm</c> as a real child process: stdout (every board's serial output, prefixed with its name) and
/// stderr (the farm's lines and board notes) collected line by line, awaitable. Disposing stops it with SIGTERM, then kills it.
/// </summary>
public sealed class FarmProcess : IAsyncDisposable
{
    private static int _subnets;
    private readonly Process _process;

    private FarmProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) Serial.Add(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Notes.Add(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public LineLog Serial { get; } = new();
    public LineLog Notes { get; } = new();

    /// <summary>A base address no other test uses: 127.(150+n).0.1, so farms of parallel tests never share an address.</summary>
    public static string UniqueBaseIp() => $"127.{150 + Interlocked.Increment(ref _subnets)}.0.1";

    public static FarmProcess Start(string workingDirectory, params string[] args) =>
        new(Process.Start(Cli.StartInfo(workingDirectory, ["device", "farm", .. args]))!);

    /// <summary>Waits for "[farm] all N boards listening …": every board has claimed its mDNS name and listens.</summary>
    public Task<string> WaitForAllListeningAsync(int count) =>
        Notes.WaitForAsync(l => l.StartsWith($"[farm] all {count} boards listening"), "the farm's ready line");

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
