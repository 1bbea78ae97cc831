using AmebaOta.Fleet.History;
using Npgsql;

namespace AmebaOta.Fleet.Sites;

/// <summary>
/// <c>LISTEN</c> on a channel of the job queue, on a connection of its own: each notification whose payload <c>match</c>es
/// calls <c>wake</c>. A lost connection is opened again with back-off (1 s doubling up to <c>maxBackoff</c>), and
/// <c>wake</c> is called once it listens again (what was announced meanwhile was missed). Runs until cancelled.
/// </summary>
public static class JobNotifications
{
    /// <summary>Listens on <paramref name="channel"/> of <paramref name="store"/> (PostgreSQL) until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task ListenAsync(HistoryStore store, string channel, Func<string, bool> match, Action wake, TimeSpan maxBackoff,
        CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = ((PostgresEngine)store.EngineImpl).OpenConnection();
                connection.Notification += (_, n) => { if (match(n.Payload)) wake(); };
                await using (var command = new NpgsqlCommand($"LISTEN {channel}", connection)) await command.ExecuteNonQueryAsync(cancellationToken);
                wait = TimeSpan.FromSeconds(1);
                wake();   // announced while we were not listening
                while (!cancellationToken.IsCancellationRequested) await connection.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception e) when (e is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
            {
                try { await Task.Delay(wait, cancellationToken); } catch (OperationCanceledException) { return; }
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, maxBackoff.Ticks));
            }
        }
    }
}
