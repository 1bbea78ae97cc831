using System.Text;
using Microsoft.AspNetCore.Http;

namespace AmebaOta.Cli.Dashboard;

/// <summary>Server-sent events (<c>text/event-stream</c>): the browser's <c>EventSource</c> reads them and reconnects by itself.</summary>
public static class EventStream
{
    /// <summary>A comment line sent when nothing happened for this long, so a dead connection is noticed.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private static readonly byte[] KeepAliveBytes = ": keep-alive\n\n"u8.ToArray();

    public static async Task StartAsync(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }

    /// <summary>One event: <c>event: NAME</c> and the JSON on one <c>data:</c> line (JSON from System.Text.Json has no raw newlines).</summary>
    public static async Task WriteAsync(HttpResponse response, string name, byte[] json, CancellationToken cancellationToken)
    {
        var head = Encoding.ASCII.GetBytes($"event: {name}\ndata: ");
        await response.Body.WriteAsync(head, cancellationToken);
        await response.Body.WriteAsync(json, cancellationToken);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public static async Task KeepAliveAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(KeepAliveBytes, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Waits for <paramref name="signal"/> or the keep-alive time; true when something happened.</summary>
    public static async Task<bool> WaitAsync(Task signal, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(KeepAlive, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
