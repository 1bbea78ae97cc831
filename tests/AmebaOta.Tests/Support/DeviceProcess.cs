using System.Diagnostics;
using System.Net;

namespace AmebaOta.Tests.Support;

/// <summary>
/// <c>ameba-ota device run</c> as a real child process: its stdout (the serial output) and stderr (simulator notes)
/// collected line by line, awaitable. Started with <c>--port 0</c>; <see cref="WaitForPortAsync"/> reads the port the
/// board chose from its "listening on" note. Disposing stops it with SIGTERM (a clean shutdown), then kills it.
/// </summary>
public sealed class DeviceProcess : CliProcess
{
    private DeviceProcess(Process process) : base(process)
    {
    }

    public static DeviceProcess Start(string workingDirectory, params string[] args)
    {
        var process = Process.Start(Cli.StartInfo(workingDirectory, ["device", "run", .. args]))!;
        return new DeviceProcess(process);
    }

    /// <summary>A board inside <paramref name="network"/>.</summary>
    public static DeviceProcess StartIn(PrivateNetwork network, string workingDirectory, params string[] args) =>
        new(Process.Start(network.Wrap(Cli.StartInfo(workingDirectory, ["device", "run", .. args])))!);

    /// <summary>Types a control command on the board's standard input (its reply arrives in <see cref="Notes"/>).</summary>
    public async Task SendAsync(string command)
    {
        await Process.StandardInput.WriteLineAsync(command);
        await Process.StandardInput.FlushAsync();
    }

    /// <summary>
    /// Asks <c>status</c> until the reply satisfies <paramref name="until"/> (each reply awaited before the next question)
    /// and returns that reply. For states the board passes through on its own time (erasing, hung).
    /// </summary>
    public async Task<string> StatusUntilAsync(Func<string, bool> until, int maxQuestions = 500)
    {
        for (int asked = 1; ; asked++)
        {
            int before = Notes.Lines.Count(l => l.Contains("] ok: boots "));
            await SendAsync("status");
            string reply = await Notes.WaitForAsync(l => l.Contains("] ok: boots "), "a status reply", before + 1);
            if (until(reply)) return reply;
            if (asked >= maxQuestions) throw new TimeoutException($"status never matched; last reply: {reply}");
        }
    }

    /// <summary>Closes the board's standard input (as a CI job with no input does): the board must keep running.</summary>
    public void CloseInput() => Process.StandardInput.Close();

    /// <summary>The port from the n-th "OTA receiver listening on 127.0.0.1:PORT" note.</summary>
    public async Task<int> WaitForPortAsync(int occurrence = 1)
    {
        string note = await Notes.WaitForAsync(l => l.Contains("OTA receiver listening on "), "the listening note", occurrence);
        return IPEndPoint.Parse(note[(note.LastIndexOf(' ') + 1)..]).Port;
    }
}
