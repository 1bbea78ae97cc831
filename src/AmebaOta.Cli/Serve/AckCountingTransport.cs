using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Kestrel's socket transport, with every accepted connection on an <see cref="AckCountingSocket"/>: when a board resets
/// mid-download, Kestrel's send loop closes the socket at once, and the bytes the board acknowledged would go with it
/// (serve would record a board that left early as having taken nothing). Listening, accepting and the connections
/// themselves are Kestrel's own (<see cref="SocketConnectionContextFactory"/>, the options Kestrel's transport uses).
/// </summary>
public sealed class AckCountingTransport(IOptions<SocketTransportOptions> options, ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        Socket listen;
        try
        {
            listen = settings.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(e.Message, e);
        }
        listen.Listen(settings.Backlog);
        var factory = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions
        {
            IOQueueCount = settings.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = settings.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = settings.MaxReadBufferSize,
            MaxWriteBufferSize = settings.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = settings.UnsafePreferInlineScheduling,
        }, loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        return ValueTask.FromResult<IConnectionListener>(new Listener(listen, factory, settings.NoDelay));
    }

    private sealed class Listener(Socket listen, SocketConnectionContextFactory factory, bool noDelay) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = listen.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                try
                {
                    var socket = AckCountingSocket.TakeOver(await listen.AcceptAsync(cancellationToken).ConfigureAwait(false));
                    socket.NoDelay = noDelay;
                    return factory.Create(socket);
                }
                catch (ObjectDisposedException)
                {
                    return null;   // unbound
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException)
                {
                    // Reset while in the backlog: accept the next one.
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            listen.Dispose();
            return default;
        }

        public ValueTask DisposeAsync()
        {
            listen.Dispose();
            factory.Dispose();
            return default;
        }
    }
}
