using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// What the CLI's servers on Kestrel share (<see cref="PullServer"/>, <see cref="OtaUi.OtaUiHttpServer"/>, the dashboard):
/// the slim builder (no reflection, so the native build stays warning-free) without logging or a <c>Server</c> header,
/// 2 s for connections to finish when stopping, a port that cannot be bound reported as one <see cref="IOException"/>,
/// and running until cancelled.
/// </summary>
public abstract class KestrelHost(WebApplication app) : IAsyncDisposable
{
    /// <summary>A builder with the shared settings; <paramref name="configure"/> adds the server's limits and ports.</summary>
    protected static WebApplicationBuilder CreateBuilder(Action<KestrelServerOptions> configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            configure(kestrel);
        });
        return builder;
    }

    /// <summary>
    /// The transport of a server boards download from: what a board acknowledged is still known after it reset the
    /// connection (<see cref="AckCountingTransport"/>).
    /// </summary>
    protected static void UseBoardSockets(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IConnectionListenerFactory, AckCountingTransport>();   // the last one registered binds

    /// <summary>The limits of a server boards download from: a connection may wait <paramref name="idleTimeout"/> for its request.</summary>
    protected static void SetBoardLimits(KestrelServerOptions kestrel, TimeSpan idleTimeout)
    {
        // A board erases before it reads a body byte (seconds at real flash speed): never drop it for reading slowly
        // (PullSender gives up on a board that takes nothing for the stall budget instead).
        kestrel.Limits.MinResponseDataRate = null;
        kestrel.Limits.KeepAliveTimeout = idleTimeout;
        kestrel.Limits.RequestHeadersTimeout = idleTimeout;
    }

    /// <summary>Starts <paramref name="app"/>; when a port cannot be bound, disposes it and throws an <see cref="IOException"/> naming <paramref name="where"/>.</summary>
    protected static async Task StartAsync(WebApplication app, string where, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot listen on {where}: {e.Message}", e);
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then stops (connections get 2 s to finish).</summary>
    public async Task RunUntilAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
