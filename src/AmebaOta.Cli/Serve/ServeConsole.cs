using System.Globalization;
using System.Text.Json;
using AmebaOta.Protocol.Pull;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Everything <c>serve</c> prints: one line per finished request (text, or JSON with <c>--json-log</c>) and per server
/// event, and on a terminal a live status line under them with every board still downloading and how far it got.
/// </summary>
public sealed class ServeConsole : IDisposable
{
    private readonly bool _json;
    private readonly bool _live;
    private readonly Lock _gate = new();
    private readonly HashSet<PullTransfer> _active = [];
    private readonly Timer? _timer;
    private bool _statusShown;

    public ServeConsole(bool json)
    {
        _json = json;
        _live = !json && !Console.IsOutputRedirected && !Console.IsErrorRedirected;
        if (_live) _timer = new Timer(_ => Render(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    /// <summary>A response started: tracked for the live line until it ends, then logged.</summary>
    public void Started(PullTransfer transfer, PullFault fault)
    {
        lock (_gate) _active.Add(transfer);
        transfer.Ended += t => Finished(t, fault);
        if (transfer.Outcome != PullTransferOutcome.Running) Finished(transfer, fault);
    }

    private void Finished(PullTransfer t, PullFault fault)
    {
        lock (_gate)
        {
            if (!_active.Remove(t)) return;
        }
        if (_json)
        {
            Write(JsonSerializer.Serialize(new TransferJson("request", DateTimeOffset.UtcNow, t.Remote?.Address.ToString(), t.Remote?.Port,
                PullProtocols.Id(t.Protocol), t.Path, t.Status, t.SentBytes, t.TotalBytes, Math.Round(t.Elapsed.TotalMilliseconds, 1),
                t.StayedToTheEnd, Outcome(t.Outcome), fault == PullFault.None ? null : PullFaults.Id(fault)), ServeJsonContext.Default.TransferJson));
            return;
        }
        string what = t.Protocol == PullProtocol.SdkLocal ? "sdk-local (TCP)" : $"{PullProtocols.Id(t.Protocol)} GET {t.Path} {t.Status}";
        string end = t.Outcome switch
        {
            PullTransferOutcome.Completed => "stayed to the end",
            PullTransferOutcome.ClientLeft => "the board left before the end",
            PullTransferOutcome.CutByFault => $"cut short by --fault {PullFaults.Id(fault)}",
            _ => "stopped by the server",
        };
        Write($"{t.Remote} {what}: {t.SentBytes}/{t.TotalBytes} bytes in {t.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s, {end}");
    }

    /// <summary>A server event: a line of text, or a JSON object with <c>--json-log</c>.</summary>
    public void Event(string name, string message, PullImage? image = null, ServeEventJson? json = null)
    {
        if (_json)
            Write(JsonSerializer.Serialize(json ?? new ServeEventJson(name, DateTimeOffset.UtcNow, message, image?.Name, image?.Checksum, image?.File.Length),
                ServeJsonContext.Default.ServeEventJson));
        else Write(message);
    }

    /// <summary>A warning, on stderr.</summary>
    public void Warning(string message)
    {
        lock (_gate)
        {
            ClearStatus();
            Console.Error.WriteLine($"warning: {message}");
        }
    }

    private static string Outcome(PullTransferOutcome outcome) => outcome switch
    {
        PullTransferOutcome.Completed => "completed",
        PullTransferOutcome.ClientLeft => "client-left",
        PullTransferOutcome.CutByFault => "cut-by-fault",
        PullTransferOutcome.Aborted => "aborted",
        _ => "running",
    };

    private void Write(string line)
    {
        lock (_gate)
        {
            ClearStatus();
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private void ClearStatus()
    {
        if (!_statusShown) return;
        Console.Out.Write("\r\u001b[K");
        _statusShown = false;
    }

    private void Render()
    {
        lock (_gate)
        {
            ClearStatus();
            if (_active.Count == 0) return;
            int width = Math.Max(40, SafeWidth() - 1);
            var parts = _active.OrderBy(t => t.StartedAt).Select(t =>
                $"{t.Remote?.Address} {PullProtocols.Id(t.Protocol)} {(t.TotalBytes > 0 ? 100.0 * t.SentBytes / t.TotalBytes : 100):0}%");
            string line = $"{_active.Count} downloading: {string.Join(" · ", parts)}";
            if (line.Length > width) line = line[..(width - 1)] + "…";
            Console.Out.Write(line);
            Console.Out.Flush();
            _statusShown = true;
        }
    }

    private static int SafeWidth()
    {
        try { return Console.WindowWidth; }
        catch (IOException) { return 80; }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate) ClearStatus();
    }
}
