using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.OtaUi;

namespace AmebaOta.Tests.Support;

/// <summary>What the test server answers to <c>GET /api/uploadfile</c>: a head, a body, and how the body is sent.</summary>
/// <param name="Head">The status line and headers, written as they are (any spelling).</param>
/// <param name="Body">The body.</param>
/// <param name="CutAfter">Close (FIN) after this many body bytes.</param>
/// <param name="Stall">After <paramref name="CutAfter"/> bytes, keep the connection open and send nothing more.</param>
public sealed record DownloadReply(byte[] Head, byte[] Body, int? CutAfter = null, bool Stall = false)
{
    /// <summary>200 with the body and a length header named <paramref name="lengthName"/>.</summary>
    public static DownloadReply Ok(byte[] body, string lengthName = "Content-Length") =>
        new(HttpResponseHead.Build(200, "OK", ("Content-Type", "application/octet-stream"), (lengthName, body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))), body);

    /// <summary>
    /// A <c>200</c> with a JSON error body and its length, lower-case headers: what Realtek's server would do to a board
    /// were its "File not found" sent with a length (it is sent chunked, which every SDK refuses: RealtekOtaUiTests).
    /// </summary>
    public static DownloadReply JsonErrorWithLength()
    {
        var body = "{\"success\":false,\"message\":\"File not found\"}"u8.ToArray();
        return new(HttpResponseHead.Build(200, "OK", ("content-type", "application/json"), ("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))), body);
    }

    /// <summary>A status other than 200, with a short text body.</summary>
    public static DownloadReply Status(int status, params (string Name, string Value)[] more)
    {
        var body = Encoding.ASCII.GetBytes(HttpResponseHead.Reason(status));
        return new(HttpResponseHead.Build(status, HttpResponseHead.Reason(status), [("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. more]), body);
    }
}

/// <summary>
/// A minimal OTA UI server for the board's tests (the real one is <c>serve --ota-ui</c>): it reads each heartbeat with
/// the shared parser, keeps its raw bytes and state, answers as Realtek's server does, and answers downloads with
/// <see cref="Reply"/>. Real sockets on 127.0.0.1.
/// </summary>
public sealed class ScriptedOtaUiServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentBag<Task> _connections = [];

    public ScriptedOtaUiServer(IPAddress? address = null)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start(100);
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>HOST:PORT, as a sketch's server.</summary>
    public string Address => $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>What downloads get (null: 404).</summary>
    public DownloadReply? Reply { get; set; }

    /// <summary>Each heartbeat's state, as received.</summary>
    public LineLog States { get; } = new();

    /// <summary>Each heartbeat's raw bytes (the request only, up to the end of its body).</summary>
    public ConcurrentQueue<(DateTime At, byte[] Bytes)> Heartbeats { get; } = new();

    /// <summary>Each download's raw request.</summary>
    public LineLog Downloads { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                _connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            var received = new List<byte>();
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    int n = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    received.AddRange(buffer.AsSpan(0, n).ToArray());
                    var bytes = received.ToArray();
                    if (n == 0 || (HttpText.TryFindHeadEnd(bytes, out _, out _) && bytes.AsSpan().StartsWith("GET "u8)))
                    {
                        if (bytes.AsSpan().StartsWith("GET "u8)) await AnswerDownloadAsync(client, bytes);
                        return;
                    }
                    var parse = OtaUiHeartbeat.TryParseRequest(bytes, n == 0, out var heartbeat, out int consumed, out _);
                    if (parse == OtaUiParse.NeedMore) continue;
                    if (parse == OtaUiParse.Parsed)
                    {
                        Heartbeats.Enqueue((DateTime.UtcNow, bytes[..consumed]));
                        States.Add(heartbeat!.RawState ?? "(none)");
                        var body = "{\"message\":\"POST data\"}"u8.ToArray();
                        await client.SendAsync(HttpResponseHead.Build(200, "OK", ("content-type", "application/json"), ("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))).Concat(body).ToArray(), SocketFlags.None, _stop.Token);
                    }
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    private async Task AnswerDownloadAsync(Socket client, byte[] request)
    {
        Downloads.Add(Encoding.Latin1.GetString(request));
        var reply = Reply ?? DownloadReply.Status(404);
        await client.SendAsync(reply.Head, SocketFlags.None, _stop.Token);
        int length = Math.Min(reply.Body.Length, reply.CutAfter ?? int.MaxValue);
        for (int at = 0; at < length; at += 8192)
            await client.SendAsync(reply.Body.AsMemory(at, Math.Min(8192, length - at)), SocketFlags.None, _stop.Token);
        if (reply.Stall) await Task.Delay(Timeout.Infinite, _stop.Token);
        client.Shutdown(SocketShutdown.Send);
        // Wait for the board's close, so the bytes are not lost to a reset of ours.
        var sink = new byte[256];
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        wait.CancelAfter(TimeSpan.FromSeconds(30));
        while (await client.ReceiveAsync(sink, SocketFlags.None, wait.Token) > 0) { }
    }

    /// <summary>Sends <c>start_ota</c> to a board's trigger port and returns its echo (what it wrote back before closing).</summary>
    public static async Task<byte[]> TriggerAsync(IPEndPoint board, byte[]? bytes = null, TimeSpan? wait = null)
    {
        using var socket = new Socket(board.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(board);
        await socket.SendAsync(bytes ?? OtaUiTrigger.Request(), SocketFlags.None);
        var echo = new List<byte>();
        var buffer = new byte[2048];
        using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0) break;
                echo.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        return [.. echo];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var c in _connections) await c.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        _stop.Dispose();
    }
}
