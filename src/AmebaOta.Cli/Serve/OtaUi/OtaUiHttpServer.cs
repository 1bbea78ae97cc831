using System.Net;
using AmebaOta.Protocol.OtaUi.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;

namespace AmebaOta.Cli.Serve.OtaUi;

/// <summary>Where and how the OTA UI endpoints listen.</summary>
/// <param name="Address">Address to listen on.</param>
/// <param name="Port">Port (0: any free one); the stock sketches name 3000.</param>
/// <param name="Token">The token every change needs (uploads and deletes of the image, control requests); heartbeats and downloads need none.</param>
public sealed record OtaUiHttpOptions(IPAddress Address, int Port, string Token)
{
    /// <summary>Connections held at once; one more is refused with a reset and a log line.</summary>
    public int MaxConnections { get; init; } = ServeOptions.DefaultMaxConnections;

    /// <summary>The control endpoint (<c>/_ameba-ota/…</c>), when the host offers one.</summary>
    public ControlEndpoint? Control { get; init; }

    /// <summary>Where warnings go (refused connections).</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>
/// The OTA UI protocol on Kestrel: the endpoints of Realtek's stock server (<see cref="OtaUiEndpoints"/>) on one port, every
/// connection through the <see cref="ConnectionGuard"/> (the connection cap, and the reset armed until a board has
/// acknowledged a whole image). With a fault, image downloads are answered raw (<see cref="OtaUiEndpoints.ServeFaultyAsync"/>);
/// everything else goes through Kestrel's HTTP/1.1. What to send is decided by <see cref="OtaUiServer"/>; this class only
/// wires it to sockets. <c>serve --ota-ui</c>, the dashboard and <c>upload</c> all listen through it.
/// </summary>
public sealed class OtaUiHttpServer : KestrelHost
{
    private readonly ListenOptions _listen;

    private OtaUiHttpServer(WebApplication app, ListenOptions listen) : base(app) => _listen = listen;

    /// <summary>Where it listens (the real port when 0 was asked).</summary>
    public IPEndPoint EndPoint => _listen.IPEndPoint!;

    /// <summary>Binds and starts serving; throws <see cref="IOException"/> when the port cannot be bound.</summary>
    public static async Task<OtaUiHttpServer> StartAsync(OtaUiServer core, OtaUiHttpOptions options, CancellationToken cancellationToken)
    {
        var guard = new ConnectionGuard(options.MaxConnections, options.Warn);
        var stopping = new CancellationTokenSource();
        var endpoints = new OtaUiEndpoints(core, options, stopping.Token);
        ListenOptions? listen = null;
        var builder = CreateBuilder(kestrel =>
        {
            SetBoardLimits(kestrel, PullServer.IdleTimeout);
            kestrel.Limits.MaxRequestBodySize = OtaUiEndpoints.MaxUploadBytes;
            kestrel.Listen(options.Address, options.Port, l =>
            {
                listen = l;
                l.Use(next => c => guard.RunAsync(c, next));
                if (core.Options.Fault != OtaUiFault.None) l.Use(next => c => endpoints.ServeFaultyAsync(c, next));
            });
        });
        UseBoardSockets(builder);
        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(stopping.Cancel);
        endpoints.Map(app);
        await StartAsync(app, $"{options.Address}:{options.Port} for OTA UI boards", cancellationToken).ConfigureAwait(false);
        return new OtaUiHttpServer(app, listen!);
    }
}
