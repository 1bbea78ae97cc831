using AmebaOta.Device.Control;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// The controls of <c>device run</c>: commands on standard input (replies on stderr as notes) and, with
/// <c>--control PATH</c>, on a Unix domain socket (one reply line per command). The end of standard input (a CI job with
/// no input, <c>&lt; /dev/null</c>) only stops reading it: the board keeps running.
/// </summary>
public sealed class DeviceControlHost : IAsyncDisposable
{
    private readonly ControlSocketServer? _socket;

    private DeviceControlHost(ControlSocketServer? socket) => _socket = socket;

    public static DeviceControlHost Start(BoardControl control, string? socketPath, bool readStdin, Action powerOff, CancellationToken cancellationToken)
    {
        var socket = socketPath is null ? null : ControlSocketServer.Start(socketPath, control, powerOff);
        if (socket is not null) Note($"control socket {socket.Path}: one command per line ({BoardControl.Commands})");
        if (readStdin)
        {
            // A blocking read of the console: left running on its own thread, never awaited, so a silent stdin cannot hold the exit.
            // On a terminal the raw byte stream, not Console.In: .NET's terminal reader switches the terminal out of its
            // line mode, so Enter arrives as CR and nothing is echoed; the plain stream keeps the terminal's own echo and editing.
            var input = Console.IsInputRedirected ? Console.In : new StreamReader(Console.OpenStandardInput());
            var reader = new Thread(() =>
            {
                try
                {
                    control.ReadCommandsAsync(input, reply => Note(reply), powerOff, cancellationToken).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                }
            }) { IsBackground = true, Name = "stdin commands" };
            reader.Start();
        }
        return new DeviceControlHost(socket);
    }

    private static void Note(string line) => Console.Error.WriteLine($"[virtual board] {line}");

    public async ValueTask DisposeAsync()
    {
        if (_socket is not null) await _socket.DisposeAsync();
    }
}
