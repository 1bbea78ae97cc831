using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AmebaOta.Cli.Dashboard.Runs;
using AmebaOta.Cli.Dashboard.Virtual;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// The page's HTTP API. Reads: <c>GET /api/events</c> (server-sent events: a snapshot, then what changed, at most
/// <see cref="Throttle"/> apart), <c>/api/boards</c>, <c>/api/history</c>, <c>/api/virtual/{board}/serial</c> (events: the
/// board's kept lines, then each new one). Changes (token needed, see <see cref="DashboardGate"/>): <c>POST /api/images</c>
/// (the image as body, <c>?name=FILE</c>), <c>/api/runs</c>, <c>/api/runs/{id}/stop</c>, <c>/api/virtual/{board}/control</c>.
/// No protocol logic here: images go to <see cref="ImageShelf"/>, runs to <see cref="RunManager"/>, controls to the farm.
/// </summary>
public sealed class DashboardApi(DashboardState state, ImageShelf images, RunManager runs, DashboardHistory history, IVirtualFarm? farm,
    ServerJson server, CancellationToken stopping)
{
    /// <summary>Shortest gap between two events of one stream: bursts (100 boards sending) merge into one event.</summary>
    public static readonly TimeSpan Throttle = TimeSpan.FromMilliseconds(100);

    public const int MaxJsonBytes = 64 * 1024;

    /// <summary>Largest body read at all (Kestrel closes the connection beyond it).</summary>
    public const int MaxDrainedBytes = 64 * 1024 * 1024;

    private static DashboardJsonContext Json => DashboardJsonContext.Default;

    public SnapshotJson Snapshot()
    {
        var (version, boards, runList) = state.Snapshot();
        return new SnapshotJson(version, boards, runList, farm is null ? null : new FarmJson(farm.Source, [.. farm.Boards]),
            new HistoryInfoJson(history.Persistent, history.Where, state.HistoryVersion), server) { Sites = state.Sites };
    }

    public async Task EventsAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var ct = linked.Token;
        try
        {
            await EventStream.StartAsync(context.Response);
            var snapshot = Snapshot();
            long seen = snapshot.Version;
            await EventStream.WriteAsync(context.Response, "snapshot", JsonSerializer.SerializeToUtf8Bytes(snapshot, Json.SnapshotJson), ct);
            while (!ct.IsCancellationRequested)
            {
                if (!await EventStream.WaitAsync(state.Changes.WaitAsync(seen, ct), ct))
                {
                    await EventStream.KeepAliveAsync(context.Response, ct);
                    continue;
                }
                await Task.Delay(Throttle, ct);
                var delta = state.ChangedSince(seen);
                seen = delta.Version;
                await EventStream.WriteAsync(context.Response, "delta", JsonSerializer.SerializeToUtf8Bytes(delta, Json.DeltaJson), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The page went away, or the dashboard stops.
        }
    }

    public Task BoardsAsync(HttpContext context) => WriteAsync(context, 200, Snapshot(), Json.SnapshotJson);

    public Task HistoryAsync(HttpContext context)
    {
        var q = context.Request.Query;
        DateTimeOffset? since = null;
        if (q["since"].ToString() is { Length: > 0 } sinceText)
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                return ReplyAsync(context, 400, new ReplyJson(false, $"since '{sinceText}' is not a date and time (for example 2025-01-31T12:00Z)"));
            since = parsed;
        }
        int limit = int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? Math.Clamp(l, 1, 5000) : 500;
        var query = new HistoryQuery(Blank(q["board"]), Blank(q["image"]), since, limit);
        return WriteAsync(context, 200, history.Read(query, state.HistoryVersion), Json.HistoryJson);
    }

    public async Task SerialAsync(HttpContext context)
    {
        string board = (string)context.GetRouteValue("board")!;
        if (farm?.Serial(board) is not { } backlog)
        {
            await ReplyAsync(context, 404, new ReplyJson(false, $"'{board}' is not a virtual board of this dashboard"));
            return;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var ct = linked.Token;
        try
        {
            await EventStream.StartAsync(context.Response);
            long seen = long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out long last) ? last : 0;
            while (!ct.IsCancellationRequested)
            {
                var lines = backlog.Since(seen, max: 500);
                if (lines.Count > 0)
                {
                    seen = lines[^1].Sequence;
                    var json = lines.Select(l => new SerialLineJson(l.Sequence, l.Time, l.Text, l.IsNote)).ToList();
                    await context.Response.WriteAsync($"id: {seen}\n", ct);
                    await EventStream.WriteAsync(context.Response, "lines", JsonSerializer.SerializeToUtf8Bytes(json, Json.ListSerialLineJson), ct);
                    await Task.Delay(Throttle, ct);
                    continue;
                }
                if (!await EventStream.WaitAsync(backlog.WaitAsync(seen, ct), ct)) await EventStream.KeepAliveAsync(context.Response, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    public async Task AddImageAsync(HttpContext context)
    {
        try
        {
            string name = ImageShelf.CleanName(context.Request.Query["name"]);
            var bytes = await ReadBodyAsync(context.Request, ImageShelf.MaxImageBytes, $"{name} is too large: an image is 1 to {ImageShelf.MaxImageBytes} bytes");
            await WriteAsync(context, 200, images.Add(name, bytes).Json, Json.ImageJson);
        }
        catch (DashboardError e)
        {
            await ReplyAsync(context, e.Status, new ReplyJson(false, e.Message));
        }
    }

    public async Task StartRunAsync(HttpContext context)
    {
        try
        {
            var request = await ReadJsonAsync(context.Request, Json.StartRunJson);
            var image = images.Find(request.Image ?? "") ?? throw new DashboardError(404, "that image is not on the dashboard (any more): drop it again");
            await WriteAsync(context, 200, await runs.StartAsync(request, image), Json.ReplyJson);
        }
        catch (DashboardError e)
        {
            await ReplyAsync(context, e.Status, new ReplyJson(false, e.Message));
        }
    }

    public async Task StopRunAsync(HttpContext context)
    {
        try
        {
            if (!long.TryParse((string?)context.GetRouteValue("id"), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                throw new DashboardError(404, "no such run");
            await WriteAsync(context, 200, runs.Stop(id), Json.ReplyJson);
        }
        catch (DashboardError e)
        {
            await ReplyAsync(context, e.Status, new ReplyJson(false, e.Message));
        }
    }

    public async Task ControlAsync(HttpContext context)
    {
        try
        {
            string board = (string)context.GetRouteValue("board")!;
            if (farm?.Serial(board) is null) throw new DashboardError(404, $"'{board}' is not a virtual board of this dashboard");
            var request = await ReadJsonAsync(context.Request, Json.BoardCommandJson);
            if (VirtualCommands.Check(request.Command ?? "") is { } refusal) throw new DashboardError(400, refusal);
            var reply = await farm.ControlAsync(board, request.Command!, context.RequestAborted);
            await WriteAsync(context, reply.Ok ? 200 : 422, reply, Json.ReplyJson);
        }
        catch (DashboardError e)
        {
            await ReplyAsync(context, e.Status, new ReplyJson(false, e.Message));
        }
    }

    /// <summary>
    /// The whole body, at most <paramref name="max"/> bytes; a larger one is read to its end (up to Kestrel's limit,
    /// <see cref="MaxDrainedBytes"/>) and turned down, so the browser gets the answer rather than a reset connection. A body
    /// cut off before its Content-Length is turned down too, and nothing is kept.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int max, string tooLarge)
    {
        if (request.ContentLength > MaxDrainedBytes) throw new DashboardError(413, tooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        long total = 0;
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                total += n;
                if (total <= max) buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new DashboardError(413, tooLarge);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            throw new DashboardError(400, $"the upload was cut off after {total}{(request.ContentLength is { } l ? $" of {l}" : "")} bytes: nothing was kept");
        }
        if (total > max) throw new DashboardError(413, tooLarge);
        return buffer.ToArray();
    }

    private static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type)
    {
        var body = await ReadBodyAsync(request, MaxJsonBytes, $"a request is at most {MaxJsonBytes} bytes");
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new DashboardError(400, "the request is empty");
        }
        catch (JsonException e)
        {
            throw new DashboardError(400, $"the request is not the JSON expected: {e.Message}");
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public static Task ReplyAsync(HttpContext context, int status, ReplyJson reply) => WriteAsync(context, status, reply, Json.ReplyJson);

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }
}
