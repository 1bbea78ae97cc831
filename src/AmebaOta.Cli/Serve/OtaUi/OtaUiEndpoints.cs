using System.Net;
using AmebaOta.Protocol;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AmebaOta.Cli.Serve.OtaUi;

/// <summary>
/// The endpoints of Realtek's stock OTA UI server, each a thin handler over <see cref="OtaUiServer"/>:
/// <c>POST /api/connectedclients</c> (a heartbeat; no token: a board cannot send one), <c>GET /api/connectedclients</c>
/// (the list, stock members first), <c>GET</c>/<c>HEAD /api/uploadfile</c> (the image chosen for the asking board, with
/// its canonical <c>Content-Length</c>; none is a 404, never a 200), <c>POST /api/uploadfile</c> (a new image as the
/// multipart field <c>files</c>) and <c>DELETE /api/uploadfile</c> (serve none), both with the token; and the control
/// endpoint when the host has one.
/// </summary>
public sealed class OtaUiEndpoints(OtaUiServer core, OtaUiHttpOptions options, CancellationToken stopping)
{
    /// <summary>Largest request body read (an upload: the largest image and its multipart framing).</summary>
    public const long MaxUploadBytes = OtaUiImage.MaxFileLength + 64 * 1024;

    /// <summary>The multipart field the stock page uploads the image in.</summary>
    public const string UploadField = "files";

    /// <summary>Routes every endpoint on <paramref name="app"/>.</summary>
    public void Map(WebApplication app)
    {
        app.MapPost(OtaUiResponses.HeartbeatPath, (RequestDelegate)HeartbeatAsync);
        app.MapGet(OtaUiResponses.HeartbeatPath, (RequestDelegate)ListAsync);
        app.MapMethods(OtaUiResponses.DownloadPath, [HttpMethods.Get, HttpMethods.Head], (RequestDelegate)DownloadAsync);
        app.MapPost(OtaUiResponses.DownloadPath, (RequestDelegate)UploadAsync);
        app.MapDelete(OtaUiResponses.DownloadPath, (RequestDelegate)DeleteAsync);
        if (options.Control is { } control) app.MapPost(ServeOptions.ControlPrefix + "{**action}", context => Plain(context, control.HandleAsync));
        app.MapFallback(context => Plain(context, c => WriteAsync(c, 404,
            new HeartbeatReplyJson($"nothing at {c.Request.Method} {c.Request.Path}: this is an OTA UI server ({OtaUiResponses.HeartbeatPath}, {OtaUiResponses.DownloadPath})").ToUtf8())));
    }

    private Task HeartbeatAsync(HttpContext context) => Plain(context, async c =>
    {
        var body = await ReadBodyAsync(c.Request, OtaUiServer.MaxHeartbeatBytes);
        if (body is null)
        {
            await WriteAsync(c, 413, new HeartbeatReplyJson($"a heartbeat is at most {OtaUiServer.MaxHeartbeatBytes} bytes").ToUtf8());
            return;
        }
        var result = core.Heartbeat(Remote(c), body);
        await WriteAsync(c, result.Ok ? 200 : 400, result.Ok ? OtaUiResponses.HeartbeatReply : new HeartbeatReplyJson(result.Error!).ToUtf8());
    });

    private Task ListAsync(HttpContext context) => Plain(context, c => WriteAsync(c, 200, ConnectedClientsJson.From(core.Boards).ToUtf8()));

    private async Task DownloadAsync(HttpContext context)
    {
        var response = core.Download(Remote(context));
        if (response.Status != 200)
        {
            await Plain(context, c => WriteAsync(c, response.Status, response.Body));
            return;
        }
        foreach (var (name, value) in OtaUiResponses.ImageHeaders(response.Body.Length)) context.Response.Headers[name] = value;
        await KestrelPullResponse.SendAsync(context, response, core.Activity, HttpMethods.IsHead(context.Request.Method), stopping);
    }

    private Task UploadAsync(HttpContext context) => Plain(context, async c =>
    {
        if (!await AuthorizedAsync(c)) return;
        if (!c.Request.HasFormContentType)
        {
            await WriteAsync(c, 400, new UploadReplyJson(false, Message: $"send the image as multipart/form-data, field '{UploadField}' (curl -F {UploadField}=@ota.bin)").ToUtf8());
            return;
        }
        IFormCollection form;
        try
        {
            form = await c.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxUploadBytes, ValueCountLimit = 16 }, c.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            await WriteAsync(c, 400, new UploadReplyJson(false, Message: $"the upload could not be read: {e.Message}").ToUtf8());
            return;
        }
        if (form.Files.GetFile(UploadField) is not { Length: > 0 } file)
        {
            await WriteAsync(c, 400, new UploadReplyJson(false, Message: $"No file uploaded (a non-empty file in the field '{UploadField}')").ToUtf8());
            return;
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, c.RequestAborted);
        var result = core.Images.Replace(buffer.ToArray(), Path.GetFileName(file.FileName) is { Length: > 0 } n ? n : "ota.bin");
        await WriteAsync(c, result.Swapped ? 200 : 422, (result.Swapped ? new UploadReplyJson(true, Name: "ota.bin", Message: result.Message)
            : new UploadReplyJson(false, Message: result.Message)).ToUtf8());
    });

    private Task DeleteAsync(HttpContext context) => Plain(context, async c =>
    {
        if (!await AuthorizedAsync(c)) return;
        bool had = core.Images.Remove();
        await WriteAsync(c, had ? 200 : 404, new UploadReplyJson(had, Message: had ? "File deleted" : "File not found").ToUtf8());
    });

    /// <summary>
    /// With a fault: looks at the request line without consuming it; an image download is answered raw (bytes no framework
    /// would write: lower-case names, a body cut short), anything else goes on to Kestrel's HTTP.
    /// </summary>
    public async Task ServeFaultyAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (await RequestLinePeek.ReadAsync(connection, PullServer.IdleTimeout, stopping).ConfigureAwait(false) is not { } line) return;
        if (!IsDownload(line))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var socket = ConnectionGuard.SocketOf(connection);
        var remote = connection.RemoteEndPoint as IPEndPoint;
        var raw = new RawServeOptions(core.Activity.Track) { RequestTimeout = PullServer.IdleTimeout };
        var transfer = await RawConnection.ServeRequestAsync(connection.Transport, remote, _ => core.Download(remote?.Address ?? IPAddress.None), raw, stopping, socket)
            .ConfigureAwait(false);
        ConnectionGuard.EndRaw(connection, socket, transfer);
    }

    private static bool IsDownload(string requestLine) =>
        (requestLine.StartsWith("GET ", StringComparison.Ordinal) || requestLine.StartsWith("HEAD ", StringComparison.Ordinal))
        && requestLine.Split(' ') is [_, var target, ..] && target.Split('?')[0] == OtaUiResponses.DownloadPath;

    private async Task<bool> AuthorizedAsync(HttpContext context)
    {
        if (options.Control?.Authorized(context.Request) ?? ControlEndpoint.HasToken(context.Request, options.Token)) return true;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await WriteAsync(context, 401, new UploadReplyJson(false,
            Message: "missing or wrong token: changing the image needs \"Authorization: Bearer <the token printed at start>\" (the stock server asks for none)").ToUtf8());
        return false;
    }

    /// <summary>Runs a handler that sends no image: the connection closes normally (the reset is for image bytes).</summary>
    private static Task Plain(HttpContext context, Func<HttpContext, Task> handler)
    {
        if (KestrelPullResponse.SocketOf(context) is { } socket) AbortiveClose.Disarm(socket);
        return handler(context);
    }

    private static IPAddress Remote(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;

    private static async Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="max"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max)
    {
        if (request.ContentLength > max) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(max + 1, 4096)];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > max) return null;
        }
        return buffer.ToArray();
    }
}
