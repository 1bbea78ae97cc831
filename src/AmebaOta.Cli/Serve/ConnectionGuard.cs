using System.Diagnostics;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Serving;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// First on every accepted connection, both ports: arms the reset (<see cref="AbortiveClose"/>: if <c>serve</c> dies at
/// any moment, a board mid-download sees a reset, never a FIN that would leave <c>http_update_ota</c> spinning), and
/// counts it against <see cref="ServeOptions.MaxConnections"/>: one more is refused with a reset and a log line (one
/// line at most every few seconds, with the number refused meanwhile).
/// </summary>
public sealed class ConnectionGuard(int max, Action<string>? warn)
{
    private static readonly TimeSpan WarningEvery = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private int _open;
    private long _refusedSinceWarning;
    private long _lastWarning;

    /// <summary>Connections held now.</summary>
    public int Open => Volatile.Read(ref _open);

    public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var socket = SocketOf(connection);
        if (socket is not null) AbortiveClose.Arm(socket);
        if (Interlocked.Increment(ref _open) > max)
        {
            Interlocked.Decrement(ref _open);
            Refused(connection);
            if (socket is not null) AbortiveClose.Reset(socket);
            else connection.Abort();
            return;
        }
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>The end of a raw connection: a normal close after a whole response (or a close-early fault), else a reset.</summary>
    public static void EndRaw(ConnectionContext connection, System.Net.Sockets.Socket? socket, PullTransfer? transfer)
    {
        if (transfer is null || transfer.Outcome is PullTransferOutcome.Completed or PullTransferOutcome.CutByFault) return;
        if (socket is not null) AbortiveClose.Reset(socket);
        else connection.Abort();
    }

    /// <summary>The connection's socket (Kestrel's socket transport exposes it).</summary>
    public static System.Net.Sockets.Socket? SocketOf(ConnectionContext connection) => connection.Features.Get<IConnectionSocketFeature>()?.Socket;

    private void Refused(ConnectionContext connection)
    {
        string? line = null;
        lock (_gate)
        {
            _refusedSinceWarning++;
            if (_lastWarning == 0 || Stopwatch.GetElapsedTime(_lastWarning) >= WarningEvery)
            {
                line = $"refused a connection from {connection.RemoteEndPoint}: {max} connections already open (--max-connections {max})" +
                    (_refusedSinceWarning > 1 ? $"; {_refusedSinceWarning} refused since the last such line" : "");
                _refusedSinceWarning = 0;
                _lastWarning = Stopwatch.GetTimestamp();
            }
        }
        if (line is not null) warn?.Invoke(line);
    }
}
