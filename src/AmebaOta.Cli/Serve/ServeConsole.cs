using System.Globalization;
using System.Text.Json;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Protocol.Serving;
using Spectre.Console;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Everything <c>serve</c> prints: one line per finished request (text, or JSON with <c>--json-log</c>) and per server
/// event, from the library's <see cref="PullActivity"/>. On a terminal (both outputs, with ANSI) the lines scroll above a
/// live table of every board downloading (<see cref="ServeLiveView"/>); when redirected, plain lines only.
/// </summary>
public sealed class ServeConsole : IAsyncDisposable
{
    private readonly bool _json;
    private readonly string? _fault;
    private readonly Lock _gate = new();
    private readonly ServeLiveView? _live;

    /// <summary>A console for a server whose <c>--fault</c> is <paramref name="fault"/> (null: none).</summary>
    public ServeConsole(bool json, string? fault, PullActivity activity, bool? live = null)
    {
        _json = json;
        _fault = fault;
        if (live ?? IsTerminal(json)) _live = new ServeLiveView(AnsiConsole.Console, new ServeProgressTable(activity));
        activity.Ended += Finished;
    }

    /// <summary>True when a live table can be drawn: text output, stdout and stderr on a terminal that takes ANSI codes.</summary>
    public static bool IsTerminal(bool json) =>
        !json && !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && AnsiConsole.Profile.Capabilities.Ansi && AnsiConsole.Profile.Capabilities.Interactive;

    private void Finished(PullTransfer t)
    {
        if (_json)
        {
            Write(JsonSerializer.Serialize(new TransferJson("request", DateTimeOffset.UtcNow, t.Remote?.Address.ToString(), t.Remote?.Port,
                t.Protocol, t.Path, t.Status, t.BoardBytes, t.TotalBytes, Math.Round(t.Elapsed.TotalMilliseconds, 1),
                t.StayedToTheEnd, Outcome(t.Outcome), _fault), ServeJsonContext.Default.TransferJson));
            return;
        }
        Write(RequestLine(t, _fault));
    }

    /// <summary>"127.0.0.5:40312 cloud-image GET /ota.bin 200: 262144/262144 bytes in 1.204 s, stayed to the end".</summary>
    public static string RequestLine(PullTransfer t, string? fault)
    {
        string what = t.Path.Length == 0 ? $"{t.Protocol} (TCP)" : $"{t.Protocol} GET {t.Path} {t.Status}";
        string end = t.Outcome switch
        {
            PullTransferOutcome.Completed => "stayed to the end",
            PullTransferOutcome.ClientLeft => "the board left before the end",
            PullTransferOutcome.CutByFault => $"cut short by --fault {fault}",
            _ => "stopped by the server",
        };
        return $"{t.Remote} {what}: {t.BoardBytes}/{t.TotalBytes} bytes in {t.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s, {end}";
    }

    /// <summary>A server event: a line of text, or a JSON object with <c>--json-log</c>.</summary>
    public void Event(string name, string message, IServedImage? image = null, ServeEventJson? json = null)
    {
        if (_json)
            Write(JsonSerializer.Serialize(json ?? new ServeEventJson(name, DateTimeOffset.UtcNow, message, image?.Name, image?.Checksum, image?.Length),
                ServeJsonContext.Default.ServeEventJson));
        else Write(message);
    }

    /// <summary>A line for people, or a JSON object of its own with <c>--json-log</c>.</summary>
    public void Event<T>(string text, T json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        if (_json) Write(JsonSerializer.Serialize(json, type));
        else Write(text);
    }

    /// <summary>A warning: on stderr, or above the live table (the same screen) when there is one.</summary>
    public void Warning(string message)
    {
        if (_live is not null)
        {
            _live.WriteLine($"warning: {message}", new Style(Color.Yellow));
            return;
        }
        lock (_gate) Console.Error.WriteLine($"warning: {message}");
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
        if (_live is not null)
        {
            _live.WriteLine(line);
            return;
        }
        lock (_gate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_live is not null) await _live.DisposeAsync().ConfigureAwait(false);
    }
}
