namespace AmebaOta.Fleet.History;

/// <summary>
/// The history as an aid, never a requirement: when the database cannot be opened or written (read-only, missing directory,
/// corrupt, from a newer version) the problem is reported once through <c>warn</c> and recording stops; callers never see
/// an exception, and the upload goes on.
/// </summary>
public sealed class BestEffortHistory : IDisposable
{
    private readonly Action<string> _warn;
    private HistoryStore? _store;
    private int _failed;
    private int _lost;

    private BestEffortHistory(HistoryStore? store, Action<string> warn)
    {
        _store = store;
        _warn = warn;
    }

    /// <summary>No database: nothing is recorded, nothing is warned.</summary>
    public static BestEffortHistory Disabled(Action<string>? warn = null) => new(null, warn ?? (_ => { }));

    /// <summary>Opens the database at <paramref name="path"/>; on failure warns once and returns a history that records nothing.</summary>
    public static BestEffortHistory Open(string path, Action<string> warn)
    {
        try
        {
            return new BestEffortHistory(HistoryStore.Open(path), warn);
        }
        catch (HistoryException e)
        {
            var history = new BestEffortHistory(null, warn);
            history.Fail(e);
            return history;
        }
    }

    /// <summary>The open store, or null when there is none or it has failed.</summary>
    public HistoryStore? Store => Volatile.Read(ref _failed) == 0 ? _store : null;

    /// <summary>True while writes are still attempted.</summary>
    public bool IsAvailable => Store is not null;

    /// <summary>Runs <paramref name="action"/> on the store, if any; a failure is warned about once and ends recording.</summary>
    public void Try(Action<HistoryStore> action) => Try<object?>(s => { action(s); return null; });

    /// <summary>Runs <paramref name="action"/> on the store; <paramref name="fallback"/> when there is none or it fails.</summary>
    public T Try<T>(Func<HistoryStore, T> action, T fallback = default!)
    {
        if (Store is not { } store) return fallback;
        try
        {
            var result = action(store);
            if (Interlocked.Exchange(ref _lost, 0) == 1) _warn($"the history database '{store.Where}' is back: recording again");
            return result;
        }
        catch (HistoryException e) when (store.Engine == DatabaseEngine.Postgres && IsConnectionLoss(e))
        {
            // A shared server restarting or out of reach for a while: this write is lost (callers that must keep one retry it), recording goes on.
            if (Interlocked.Exchange(ref _lost, 1) == 0) _warn($"{e.Message}; not recording until it is back (the upload still runs)");
            return fallback;
        }
        catch (HistoryException e) when (IsCollision(e))
        {
            // Lost to another write at the same moment (a deadlock): this write is lost, as above; the next one goes through.
            return fallback;
        }
        catch (HistoryException e)
        {
            Fail(e);
            return fallback;
        }
    }

    /// <summary>True while the last write failed because the (PostgreSQL) server was out of reach.</summary>
    public bool IsLost => Volatile.Read(ref _lost) == 1;

    /// <summary>A lost connection (a server restarting, a network cut), as opposed to a database that refuses us for good.</summary>
    public static bool IsConnectionLoss(HistoryException e) => e.InnerException switch
    {
        Npgsql.PostgresException p => p.SqlState.StartsWith("57P", StringComparison.Ordinal) || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        Npgsql.NpgsqlException n => n.IsTransient || n.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        IOException or System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>A write that lost to another at the same moment (PostgreSQL: a deadlock, a serialization failure): trying it again succeeds.</summary>
    public static bool IsCollision(HistoryException e) => e.InnerException is Npgsql.PostgresException { SqlState: "40P01" or "40001" };

    /// <summary>Worth trying again: the connection was lost (<see cref="IsConnectionLoss"/>), or the write collided with another (<see cref="IsCollision"/>).</summary>
    public static bool IsTransient(HistoryException e) => IsConnectionLoss(e) || IsCollision(e);

    private void Fail(HistoryException e)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 0)
            _warn($"{e.Message}; not recording history (the upload still runs)");
    }

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _store, null)?.Dispose();
    }
}
