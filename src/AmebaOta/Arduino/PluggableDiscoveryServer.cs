using System.Text.Json;
using System.Text.RegularExpressions;
using AmebaOta.Discovery;

namespace AmebaOta.Arduino;

/// <summary>
/// The Arduino pluggable discovery protocol, version 1 (arduino-cli's "pluggable discovery specification"): commands one per
/// line on the input (<c>HELLO 1 "agent"</c>, <c>START</c>, <c>LIST</c>, <c>START_SYNC</c>, <c>STOP</c>, <c>QUIT</c>), one JSON
/// object per reply and per <c>add</c>/<c>remove</c> event on the output. Ports are the <c>_arduino._tcp</c> boards mDNS finds,
/// removed when they say goodbye or their records expire. The state machine and error messages follow Arduino's reference
/// implementation (pluggable-discovery-protocol-handler).
/// </summary>
public sealed partial class PluggableDiscoveryServer(MdnsBrowserOptions? options = null)
{
    private readonly MdnsBrowserOptions _options = options ?? new MdnsBrowserOptions();
    private readonly Lock _lock = new();
    private readonly NetworkPorts _ports = new();
    private TextWriter _output = TextWriter.Null;
    private CancellationTokenSource? _watch;
    private Task _watching = Task.CompletedTask;
    private bool _initialized, _started, _syncing;

    [GeneratedRegex("^(\\d+) \"([^\"]+)\"$")]
    private static partial Regex HelloArguments();

    /// <summary>Answers commands from <paramref name="input"/> until <c>QUIT</c> or the end of the input.</summary>
    public async Task RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken = default)
    {
        _output = output;
        try
        {
            while (await input.ReadLineAsync(cancellationToken) is { } line)
            {
                string full = line.Trim();
                string command = full.Split(' ')[0].ToUpperInvariant();
                if (!_initialized && command is not ("HELLO" or "QUIT"))
                {
                    Send(Error("command_error", $"First command must be HELLO, but got '{command}'"));
                    continue;
                }
                switch (command)
                {
                    case "HELLO": Hello(full.Length > 6 ? full[6..] : ""); break;
                    case "START": Start(); break;
                    case "LIST": List(); break;
                    case "START_SYNC": StartSync(); break;
                    case "STOP": await StopAsync(); break;
                    case "QUIT":
                        await StopWatchingAsync();
                        Send(new DiscoveryMessage("quit", "OK"));
                        return;
                    default: Send(Error("command_error", $"Command {command} not supported")); break;
                }
            }
        }
        finally
        {
            await StopWatchingAsync();
        }
    }

    private void Hello(string arguments)
    {
        if (_initialized) { Send(Error("hello", "HELLO already called")); return; }
        if (!HelloArguments().IsMatch(arguments)) { Send(Error("hello", "Invalid HELLO command")); return; }
        _initialized = true;
        Send(new DiscoveryMessage("hello", "OK", ProtocolVersion: 1));
    }

    private void Start()
    {
        if (_started) { Send(Error("start", "Discovery already STARTed")); return; }
        if (_syncing) { Send(Error("start", "Discovery already START_SYNCed, cannot START")); return; }
        if (BeginWatching(sync: false) is { } error) { Send(Error("start", $"Cannot START: {error}")); return; }
        _started = true;
        Send(new DiscoveryMessage("start", "OK"));
    }

    private void List()
    {
        if (!_started) { Send(Error("list", "Discovery not STARTed")); return; }
        if (_syncing) { Send(Error("list", "discovery already START_SYNCed, LIST not allowed")); return; }
        lock (_lock) Send(new DiscoveryMessage("list", Ports: _ports.All));
    }

    private void StartSync()
    {
        if (_syncing) { Send(Error("start_sync", "Discovery already START_SYNCed")); return; }
        if (_started) { Send(Error("start_sync", "Discovery already STARTed, cannot START_SYNC")); return; }
        // The reply goes out before any event: take the lock so the watch cannot send an "add" first.
        lock (_lock)
        {
            if (BeginWatching(sync: true) is { } error) { Send(Error("start_sync", $"Cannot START_SYNC: {error}")); return; }
            _syncing = true;
            Send(new DiscoveryMessage("start_sync", "OK"));
        }
    }

    private async Task StopAsync()
    {
        if (!_started && !_syncing) { Send(Error("stop", "Discovery already STOPped")); return; }
        await StopWatchingAsync();
        _started = _syncing = false;
        Send(new DiscoveryMessage("stop", "OK"));
    }

    /// <summary>Starts browsing; returns why it cannot (no such interface), or null.</summary>
    private string? BeginWatching(bool sync)
    {
        try
        {
            MdnsInterface.Resolve(_options.Interface);
        }
        catch (MdnsException e)
        {
            return e.Message;
        }
        var watch = new CancellationTokenSource();
        var events = new MdnsBrowser(_options).WatchAsync(watch.Token).GetAsyncEnumerator(watch.Token);
        // The first step opens the mDNS socket, here, before the reply: nothing announced after "OK" can be missed.
        var first = events.MoveNextAsync();
        if (first.IsFaulted)
        {
            string message = first.AsTask().Exception?.InnerException?.Message ?? "cannot browse";
            watch.Dispose();
            return message;
        }
        _watch = watch;
        _watching = Task.Run(async () =>
        {
            try
            {
                for (bool more = await first; more; more = await events.MoveNextAsync())
                {
                    var e = events.Current;
                    lock (_lock)
                    {
                        if (watch.IsCancellationRequested) return;
                        if (e.Kind == ServiceEventKind.Appeared)
                        {
                            var port = _ports.Appeared(e.Service);
                            if (sync) Send(new DiscoveryMessage("add", Port: port));
                        }
                        else
                        {
                            var (removed, stillThere) = _ports.Disappeared(e.Service);
                            if (sync && removed is not null) Send(new DiscoveryMessage("remove", Port: removed));
                            if (sync && stillThere is not null) Send(new DiscoveryMessage("add", Port: stillThere));
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (watch.IsCancellationRequested) { }
            catch (MdnsException e)
            {
                // The reference handler reports a failure in event mode as an error "start_sync" message.
                lock (_lock) if (sync && !watch.IsCancellationRequested) Send(Error("start_sync", e.Message));
            }
            finally
            {
                await events.DisposeAsync();
            }
        });
        return null;
    }

    private async Task StopWatchingAsync()
    {
        if (_watch is not { } watch) return;
        lock (_lock) watch.Cancel();
        await _watching;
        watch.Dispose();
        _watch = null;
        lock (_lock) _ports.Clear();
    }

    private static DiscoveryMessage Error(string eventType, string message) => new(eventType, message, Error: true);

    private void Send(DiscoveryMessage message)
    {
        lock (_lock)
        {
            _output.WriteLine(JsonSerializer.Serialize(message, DiscoveryJsonContext.Default.DiscoveryMessage));
            _output.Flush();
        }
    }
}
