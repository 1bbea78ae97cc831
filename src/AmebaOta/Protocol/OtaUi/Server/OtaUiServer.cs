using System.Collections.Concurrent;
using System.Net;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>How an OTA UI server runs.</summary>
/// <param name="Fault">The deliberate mistake to make on downloads, if any.</param>
/// <param name="SlowBytesPerSecond">Pace of a <see cref="OtaUiFault.Slow"/> body.</param>
public sealed record OtaUiServerOptions(OtaUiFault Fault = OtaUiFault.None, double? SlowBytesPerSecond = null)
{
    /// <summary>How long a board may stay quiet before it is shown as gone.</summary>
    public TimeSpan GoneAfter { get; init; } = OtaUiBoards.DefaultGoneAfter;

    /// <summary>The clock (a test's own, or the system's).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Asked before the default image goes to a board (an image chosen for a board was checked when it was chosen): a
    /// sentence refuses that download (<see cref="OtaUiServer.DownloadRefused"/>, answered 409), null lets it go.
    /// </summary>
    public Func<IPAddress, OtaUiImage, string?>? DownloadCheck { get; init; }
}

/// <summary>
/// The OTA UI protocol on the server's side, with no transport: the boards and their heartbeats
/// (<see cref="Boards"/>), the image for boards that have none chosen (<see cref="Images"/>), the images chosen for some
/// boards while their update runs (<see cref="Choose"/>, with the pace of their fleet's airtime budget), and the downloads
/// under way (<see cref="Activity"/>). A host
/// (<c>serve --ota-ui</c>, the dashboard, <c>upload</c>) wires it to sockets; the judge reads the same events.
/// </summary>
public sealed class OtaUiServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPAddress, Chosen> _chosen = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeper;

    /// <summary>A server handing out <paramref name="images"/>; it marks quiet boards gone every second until disposed.</summary>
    public OtaUiServer(OtaUiImageSource images, OtaUiServerOptions? options = null)
    {
        Options = options ?? new OtaUiServerOptions();
        Images = images;
        Boards = new OtaUiBoards(Options.Time, Options.GoneAfter);
        _sweeper = SweepAsync(_stop.Token);
    }

    /// <summary>How it runs.</summary>
    public OtaUiServerOptions Options { get; }

    /// <summary>The boards heard from.</summary>
    public OtaUiBoards Boards { get; }

    /// <summary>The image served to boards that have none chosen.</summary>
    public OtaUiImageSource Images { get; }

    /// <summary>Every download, as it starts and ends.</summary>
    public PullActivity Activity { get; } = new();

    /// <summary>A heartbeat's body from <paramref name="address"/>: the board after it, or why it was turned down.</summary>
    /// <remarks>
    /// The body is read as the boards' protocol reads it (<see cref="OtaUiHeartbeat.TryParseBody"/>). A body without a
    /// state is taken, as the stock server takes it (it stores <c>undefined</c>); a state longer than
    /// <see cref="MaxStateLength"/> or with control characters is turned down, so that no board can fill a log or a terminal.
    /// </remarks>
    public HeartbeatResult Heartbeat(IPAddress address, ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxHeartbeatBytes) return new HeartbeatResult(null, $"the body is {body.Length} bytes: a heartbeat is at most {MaxHeartbeatBytes}");
        if (!OtaUiHeartbeat.TryParseBody(body, out var state, out var error)) return new HeartbeatResult(null, error);
        if (state is { Length: > MaxStateLength } || state?.Any(char.IsControl) == true)
            return new HeartbeatResult(null, $"\"{OtaUiHeartbeat.StateKey}\" must be at most {MaxStateLength} characters without control characters");
        return new HeartbeatResult(Boards.Heartbeat(address, state ?? ""), null);
    }

    /// <summary>Longest heartbeat body taken (a stock board's is about 40 bytes; its buffer holds 256).</summary>
    public const int MaxHeartbeatBytes = 1024;

    /// <summary>Longest state kept.</summary>
    public const int MaxStateLength = 64;

    /// <summary>The image a download from <paramref name="address"/> gets: the one chosen for that board, else the default (null: none).</summary>
    public OtaUiImage? ImageFor(IPAddress address) =>
        _chosen.TryGetValue(OtaUiBoards.Normalize(address), out var chosen) ? chosen.Image : Images.Snapshot;

    /// <summary>A download turned down by <see cref="OtaUiServerOptions.DownloadCheck"/>: the board's address and why.</summary>
    public event Action<IPAddress, string>? DownloadRefused;

    /// <summary>
    /// The answer to <c>GET /api/uploadfile</c> from <paramref name="address"/>, with the server's fault applied; a 409 when
    /// <see cref="OtaUiServerOptions.DownloadCheck"/> refuses the default image for that board (both SDKs stop on a status
    /// other than 200: the board reports COMPLETED and keeps its firmware; docs/reference section 12.4). A board chosen with a
    /// throttle (one of a fleet run's boards) gets its body paced through it; any other board reads it at its own pace.
    /// </summary>
    public PullResponse Download(IPAddress address)
    {
        var image = ImageFor(address);
        if (image is not null && Options.Fault != OtaUiFault.Stock && ChosenFor(address) is null
            && Options.DownloadCheck?.Invoke(OtaUiBoards.Normalize(address), image) is { } refusal)
        {
            DownloadRefused?.Invoke(OtaUiBoards.Normalize(address), refusal);
            return OtaUiResponses.Refused(refusal);
        }
        var response = OtaUiResponses.Download(image, Options.Fault, Options.SlowBytesPerSecond, Options.Time.GetUtcNow());
        return _chosen.TryGetValue(OtaUiBoards.Normalize(address), out var chosen) && chosen.Throttle is { } throttle ? response with { Throttle = throttle } : response;
    }

    /// <summary>
    /// Serves <paramref name="image"/> to the board at <paramref name="address"/> (whatever the default) until <see cref="Release"/>,
    /// its body paced through <paramref name="throttle"/> when given (the board's airtime ticket in a fleet run).
    /// </summary>
    public void Choose(IPAddress address, OtaUiImage image, IReportingThrottle? throttle = null) => _chosen[OtaUiBoards.Normalize(address)] = new Chosen(image, throttle);

    /// <summary>The board at <paramref name="address"/> gets the default image again.</summary>
    public void Release(IPAddress address) => _chosen.TryRemove(OtaUiBoards.Normalize(address), out _);

    /// <summary>The image chosen for a board, if any.</summary>
    public OtaUiImage? ChosenFor(IPAddress address) => _chosen.GetValueOrDefault(OtaUiBoards.Normalize(address))?.Image;

    private sealed record Chosen(OtaUiImage Image, IReportingThrottle? Throttle);

    private async Task SweepAsync(CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Options.Time);
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false)) Boards.Sweep();
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops marking boards gone.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sweeper.ConfigureAwait(false);
        _stop.Dispose();
    }
}

/// <summary>What a heartbeat did: the board after it, or why the body was turned down.</summary>
public sealed record HeartbeatResult(OtaUiBoard? Board, string? Error)
{
    /// <summary>True when it was a heartbeat.</summary>
    public bool Ok => Board is not null;
}
