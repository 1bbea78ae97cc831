using System.Globalization;
using System.Text;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// What an OTA UI server sends (docs/reference section 12), as pure functions of the image and the fault: the
/// transport (Kestrel, a raw socket, a test) only writes them. The image goes out whole with its canonical
/// <c>Content-Length</c>, never chunked; an error is never a <c>200</c>, and its body is JSON a board cannot take for
/// firmware (no family's image starts with <c>{</c>).
/// </summary>
public static class OtaUiResponses
{
    /// <summary>How transfers of this protocol are named in logs.</summary>
    public const string ProtocolId = "ota-ui";

    /// <summary>The download path (the boards' <c>resource</c> is <c>api/uploadfile</c>, "DO NOT MODIFY").</summary>
    public const string DownloadPath = OtaUiDownload.Path;

    /// <summary>The heartbeat path.</summary>
    public const string HeartbeatPath = OtaUiHeartbeat.Path;

    /// <summary>What the stock server answers every heartbeat with (the boards never read it).</summary>
    public static ReadOnlyMemory<byte> HeartbeatReply { get; } = """{"message":"POST data"}"""u8.ToArray();

    /// <summary>The stock server's body when it has no file (it sends it with a 200; this server with a 404).</summary>
    public static ReadOnlyMemory<byte> MissingBody { get; } = """{"success":false,"message":"File not found"}"""u8.ToArray();

    /// <summary>Bytes per second of a <see cref="OtaUiFault.Slow"/> body unless told otherwise.</summary>
    public const double DefaultSlowBytesPerSecond = 4096;

    /// <summary>The headers of an image response, as the stock server names them (its download is <c>ota.bin</c>).</summary>
    public static (string Name, string Value)[] ImageHeaders(long length) =>
    [
        ("Content-Type", "application/octet-stream"),
        ("Content-Disposition", "attachment; filename=ota.bin"),
        ("Content-Length", length.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// The answer to <c>GET /api/uploadfile</c>: <paramref name="image"/> (null: none to serve, a <c>404</c>), with
    /// <paramref name="fault"/> applied. <paramref name="now"/> dates a <see cref="OtaUiFault.Stock"/> answer.
    /// </summary>
    public static PullResponse Download(OtaUiImage? image, OtaUiFault fault = OtaUiFault.None, double? slowBytesPerSecond = null, DateTimeOffset? now = null)
    {
        if (fault == OtaUiFault.Stock) return Stock(image, now ?? DateTimeOffset.UtcNow);
        if (image is null || fault == OtaUiFault.NotFound) return Json(404, MissingBody);
        var body = image.Bytes;
        var head = HttpResponseHead.Build(200, "OK", [.. ImageHeaders(body.Length), ("Connection", "close")]);
        var response = new PullResponse(ProtocolId, 200, head, body, body.Length, PullBodyEnd.Complete, null);
        return fault switch
        {
            OtaUiFault.Slow => response with { BytesPerSecond = slowBytesPerSecond ?? DefaultSlowBytesPerSecond },
            OtaUiFault.CloseEarly => response with { SendBytes = body.Length / 2, End = PullBodyEnd.CloseEarly },
            OtaUiFault.Stall => response with { SendBytes = body.Length / 2, End = PullBodyEnd.Stall },
            _ => response,
        };
    }

    /// <summary>Status of a download the server refuses for that board (an image it would not boot).</summary>
    public const int RefusedStatus = 409;

    /// <summary>A download refused for that board: 409 with <c>{"success":false,"message":…}</c>.</summary>
    public static PullResponse Refused(string reason) =>
        Json(RefusedStatus, Encoding.UTF8.GetBytes($"{{\"success\":false,\"message\":\"{System.Text.Json.JsonEncodedText.Encode(reason)}\"}}"));

    /// <summary>A JSON answer with its status and canonical head.</summary>
    public static PullResponse Json(int status, ReadOnlyMemory<byte> body)
    {
        var head = HttpResponseHead.Build(status, HttpResponseHead.Reason(status), ("Content-Type", "application/json"),
            ("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture)), ("Connection", "close"));
        return new PullResponse(ProtocolId, status, head, body, body.Length, PullBodyEnd.Complete, null);
    }

    /// <summary>
    /// How long the stock server keeps a download's connection open after answering when the board sends nothing more:
    /// Node's keep-alive (<c>Keep-Alive: timeout=5</c>); its FIN came 6.0 s after the answer (Next.js 14.2.3, Node 20.20).
    /// </summary>
    public static readonly TimeSpan StockKeepAlive = TimeSpan.FromSeconds(6);

    /// <summary>
    /// What the stock server (Next.js 14.2.3 on Node 20) sends, as recorded from it (tests/realtek-ota-ui, compared byte for
    /// byte by <c>RealtekOtaUiTests</c>): the route's headers in lower case as Next passes them on, then Node's own
    /// <c>Date</c>, <c>Connection</c> and <c>Keep-Alive</c>; the image whole with its <c>content-length</c>; no image as
    /// <c>200 OK</c> with the JSON error in one chunk (no length at all); the connection then kept open.
    /// </summary>
    private static PullResponse Stock(OtaUiImage? image, DateTimeOffset now)
    {
        string date = now.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
        (string, string)[] node = [("Date", date), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5")];
        const string Vary = "RSC, Next-Router-State-Tree, Next-Router-Prefetch";
        if (image is null)
        {
            var chunked = Encoding.ASCII.GetBytes($"{MissingBody.Length:x}\r\n").Concat(MissingBody.ToArray()).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();
            var missingHead = HttpResponseHead.Build(200, "OK", [("vary", Vary), ("content-type", "application/json"), .. node, ("Transfer-Encoding", "chunked")]);
            return new PullResponse(ProtocolId, 200, missingHead, chunked, chunked.Length, PullBodyEnd.Complete, null) { HoldOpen = StockKeepAlive };
        }
        var body = image.Bytes;
        var head = HttpResponseHead.Build(200, "OK", [("vary", Vary), ("content-disposition", "attachment; filename=ota.bin"),
            ("content-length", body.Length.ToString(CultureInfo.InvariantCulture)), ("content-type", "application/octet-stream"), .. node]);
        return new PullResponse(ProtocolId, 200, head, body, body.Length, PullBodyEnd.Complete, null) { HoldOpen = StockKeepAlive };
    }
}
