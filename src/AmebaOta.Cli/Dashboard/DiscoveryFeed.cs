using AmebaOta.Discovery;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// Keeps the board list live from mDNS: boards appear as they resolve (or change address, port, TXT) and are marked gone
/// when they say goodbye or their records expire. Sightings go to the history every 2 s, as one batch. Only listens and
/// asks over mDNS: never touches a board's OTA port.
/// </summary>
public sealed class DiscoveryFeed(DashboardState state, DashboardHistory history, string? networkInterface, Action<string> warn) : IAsyncDisposable
{
    private static readonly TimeSpan HistoryBatch = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private List<BoardSighting> _pending = [];
    private Task _watching = Task.CompletedTask;
    private Task _recording = Task.CompletedTask;

    public void Start()
    {
        _watching = Task.Run(() => WatchAsync(_stop.Token));
        _recording = Task.Run(() => RecordAsync(_stop.Token));
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = networkInterface });
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in browser.WatchAsync(stop))
                {
                    var now = DateTimeOffset.UtcNow;
                    if (e.Kind == ServiceEventKind.Appeared)
                    {
                        state.Seen(e.Service, now);
                        lock (_lock) _pending.Add(BoardSighting.Of(e.Service) with { SeenAt = now });
                    }
                    else
                    {
                        state.Gone(e.Service.InstanceName, now);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (MdnsException e)
            {
                warn($"mDNS: {e.Message}; trying again in 5 s");
                try { await Task.Delay(TimeSpan.FromSeconds(5), stop); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    private async Task RecordAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(HistoryBatch);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) Flush();
        }
        catch (OperationCanceledException)
        {
        }
        Flush();
    }

    private void Flush()
    {
        List<BoardSighting> batch;
        lock (_lock)
        {
            if (_pending.Count == 0) return;
            batch = _pending;
            _pending = [];
        }
        history.Seen(batch);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_watching, _recording);
        _stop.Dispose();
    }
}
