using System.Net;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// The pull server on Kestrel. The HTTP port answers CloudOTA (<c>/check.txt</c>, <c>/ota.bin</c>) and
/// <c>http_update_ota</c> (every other path) through Kestrel's HTTP/1.1, which writes exactly the short head these
/// clients parse (<c>HTTP/1.1 200 OK</c>, <c>Content-Length</c>, <c>Date</c>, and <c>Connection: close</c> when asked);
/// the Server header is off. With a fault, a connection middleware answers the download requests straight on the
/// transport pipe instead (a framework cannot be made to send what a fault sends), and still hands control requests to
/// HTTP. The TCP port is the <c>update_ota_local</c> download server, on the raw pipe too. What to send is decided by
/// <see cref="PullResponses"/>; this class only wires it to sockets.
/// <para>Every connection goes through <see cref="ConnectionGuard"/> first (the connection cap, and the reset armed
/// until the board has acknowledged a whole response). Boards send their request as soon as they are connected and never
/// reuse a connection, so an idle connection is dropped after <see cref="IdleTimeout"/>; a board that takes no byte of a
/// response for the stall budget counts as gone.</para>
/// </summary>
public sealed class PullServer : KestrelHost
{
    private readonly ListenOptions _http;
    private readonly ListenOptions? _tcp;

    private PullServer(WebApplication app, ListenOptions http, ListenOptions? tcp) : base(app)
    {
        _http = http;
        _tcp = tcp;
    }

    /// <summary>How long a connection may wait for its request, or sit idle after a response.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Where the HTTP port listens (the real port when 0 was asked).</summary>
    public IPEndPoint HttpEndPoint => _http.IPEndPoint!;

    /// <summary>Where the <c>update_ota_local</c> server listens, if it does.</summary>
    public IPEndPoint? TcpEndPoint => _tcp?.IPEndPoint;

    /// <summary>Binds both ports and starts serving; throws <see cref="IOException"/> when a port cannot be bound.</summary>
    /// <remarks>Every response is reported to <paramref name="activity"/> as it starts (and ends).</remarks>
    public static async Task<PullServer> StartAsync(ServeOptions options, PullImageSource images, PullActivity activity, ControlEndpoint control,
        CancellationToken cancellationToken, Action<string>? warn = null)
    {
        var guard = new ConnectionGuard(options.MaxConnections, warn);
        ListenOptions? http = null, tcp = null;
        var stopping = new CancellationTokenSource();
        var connection = new PullConnectionOptions(images, options.Fault, options.SlowBytesPerSecond, activity.Track) { RequestTimeout = IdleTimeout };
        var builder = CreateBuilder(kestrel =>
        {
            SetBoardLimits(kestrel, IdleTimeout);
            kestrel.Listen(options.Address, options.HttpPort, listen =>
            {
                http = listen;
                listen.Use(next => c => guard.RunAsync(c, next));
                if (options.Fault != PullFault.None) listen.Use(next => c => ServeFaultyAsync(c, next, connection, stopping.Token));
            });
            if (options.TcpPort is { } tcpPort)
            {
                kestrel.Listen(options.Address, tcpPort, listen =>
                {
                    tcp = listen;
                    listen.Use(next => c => guard.RunAsync(c, next));
                    listen.Run(async c =>
                    {
                        // The board leaving is seen on the connection's input (RawPullConnection), so it counts as "left", not "stopped".
                        var socket = ConnectionGuard.SocketOf(c);
                        var transfer = await RawPullConnection.ServeSdkLocalAsync(c.Transport, c.RemoteEndPoint as IPEndPoint, connection, stopping.Token,
                            socket).ConfigureAwait(false);
                        ConnectionGuard.EndRaw(c, socket, transfer);
                    });
                });
            }
        });
        UseBoardSockets(builder);
        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(stopping.Cancel);
        app.Run(context => HandleAsync(context, images, activity, control, stopping.Token));
        await StartAsync(app, $"{options.Address} (HTTP port {options.HttpPort}{(options.TcpPort is { } p ? $", TCP port {p}" : "")})", cancellationToken).ConfigureAwait(false);
        return new PullServer(app, http!, tcp);
    }

    /// <summary>The HTTP requests Kestrel parses: control actions, and (without a fault) the downloads.</summary>
    private static async Task HandleAsync(HttpContext context, PullImageSource images, PullActivity activity, ControlEndpoint control, CancellationToken stopping)
    {
        string path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(ServeOptions.ControlPrefix, StringComparison.Ordinal) && HttpMethods.IsPost(context.Request.Method))
        {
            if (SocketOf(context.Features) is { } controlSocket) AbortiveClose.Disarm(controlSocket);   // no image on this connection
            await control.HandleAsync(context).ConfigureAwait(false);
            return;
        }
        bool head = HttpMethods.IsHead(context.Request.Method);
        if (!HttpMethods.IsGet(context.Request.Method) && !head)
        {
            if (SocketOf(context.Features) is { } plainSocket) AbortiveClose.Disarm(plainSocket);
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }
        var response = PullResponses.For(PullProtocols.ForPath(path), images.Current);
        await KestrelPullResponse.SendAsync(context, response, activity, head, stopping).ConfigureAwait(false);
    }

    /// <summary>
    /// With a fault: looks at the request line without consuming it; a control request goes on to Kestrel's HTTP, any
    /// other is answered raw by <see cref="RawPullConnection"/>.
    /// </summary>
    private static async Task ServeFaultyAsync(ConnectionContext connection, ConnectionDelegate next, PullConnectionOptions options, CancellationToken stopping)
    {
        if (await RequestLinePeek.ReadAsync(connection, options.RequestTimeout, stopping).ConfigureAwait(false) is not { } line) return;
        bool control = line.StartsWith("POST " + ServeOptions.ControlPrefix, StringComparison.Ordinal);
        if (control)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var socket = ConnectionGuard.SocketOf(connection);
        var transfer = await RawPullConnection.ServeHttpAsync(connection.Transport, connection.RemoteEndPoint as IPEndPoint, options, stopping, socket)
            .ConfigureAwait(false);
        ConnectionGuard.EndRaw(connection, socket, transfer);
    }

    /// <summary>The connection's socket (Kestrel's socket transport exposes it), for reading what the board acknowledged.</summary>
    private static System.Net.Sockets.Socket? SocketOf(Microsoft.AspNetCore.Http.Features.IFeatureCollection features) =>
        features.Get<IConnectionSocketFeature>()?.Socket;
}
