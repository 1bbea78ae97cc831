using System.Net;
using AmebaOta.Cli.Serve;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// The dashboard on Kestrel (minimal APIs, set up as every <see cref="KestrelHost"/>). Every request passes the
/// <see cref="DashboardGate"/> first; the handlers are in <see cref="DashboardApi"/>, the page's files in
/// <see cref="DashboardAssets"/>. This class only wires them to sockets.
/// </summary>
public sealed class DashboardServer : KestrelHost
{
    private readonly ListenOptions _listen;

    private DashboardServer(WebApplication app, ListenOptions listen) : base(app) => _listen = listen;

    /// <summary>Where it listens (the real port when 0 was asked).</summary>
    public IPEndPoint EndPoint => _listen.IPEndPoint!;

    /// <summary>Binds and starts serving; throws <see cref="IOException"/> when the port cannot be bound.</summary>
    public static async Task<DashboardServer> StartAsync(IPAddress address, int port, DashboardGate gate, DashboardApi api, CancellationToken cancellationToken)
    {
        ListenOptions? listen = null;
        var builder = CreateBuilder(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = DashboardApi.MaxDrainedBytes;
            kestrel.Listen(address, port, l => listen = l);
        });
        var app = builder.Build();
        app.Use(next => context => GateAsync(context, next, gate));
        Map(app, api);
        app.MapFallback("{**path}", async context =>
        {
            if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && await DashboardAssets.TryServeAsync(context)) return;
            await DashboardApi.ReplyAsync(context, 404, new ReplyJson(false, $"nothing at {context.Request.Path}"));
        });
        await StartAsync(app, $"{address}:{port}", cancellationToken).ConfigureAwait(false);
        return new DashboardServer(app, listen!);
    }

    private static void Map(IEndpointRouteBuilder app, DashboardApi api)
    {
        app.MapGet("/api/events", (RequestDelegate)api.EventsAsync);
        app.MapGet("/api/boards", (RequestDelegate)api.BoardsAsync);
        app.MapGet("/api/history", (RequestDelegate)api.HistoryAsync);
        app.MapGet("/api/virtual/{board}/serial", (RequestDelegate)api.SerialAsync);
        app.MapPost("/api/images", (RequestDelegate)api.AddImageAsync);
        app.MapPost("/api/runs", (RequestDelegate)api.StartRunAsync);
        app.MapPost("/api/runs/{id}/stop", (RequestDelegate)api.StopRunAsync);
        app.MapPost("/api/virtual/{board}/control", (RequestDelegate)api.ControlAsync);
    }

    /// <summary>Loopback host names only (when listening on loopback); a token for anything but GET and HEAD.</summary>
    private static Task GateAsync(HttpContext context, RequestDelegate next, DashboardGate gate)
    {
        var request = context.Request;
        if (!gate.HostAllowed(request))
            return DashboardApi.ReplyAsync(context, 403, new ReplyJson(false, $"this dashboard answers to loopback addresses only, not to '{request.Host}'"));
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return next(context);
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD, POST";
            return DashboardApi.ReplyAsync(context, 405, new ReplyJson(false, $"{request.Method} is not used here"));
        }
        if (gate.User(request) is not { } user)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return DashboardApi.ReplyAsync(context, 401, new ReplyJson(false,
                "missing or wrong token: open the link the dashboard printed in its terminal (…/#token=…), or paste the token in the page"));
        }
        return AsUserAsync(context, next, user);
    }

    /// <summary>The change, and the work it starts (runs carry on after the request), is recorded as its token's user.</summary>
    private static async Task AsUserAsync(HttpContext context, RequestDelegate next, string user)
    {
        using (Fleet.History.Actor.As(user)) await next(context);
    }
}
